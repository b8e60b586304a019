// Command telx queries Jaeger, Prometheus and Loki from the terminal.
package main

import (
	"os"

	"github.com/telx-cli/telx/cmd"
)

func main() {
	os.Exit(cmd.Execute())
}
