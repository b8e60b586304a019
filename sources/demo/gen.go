//go:build ignore

// gen writes the embedded demo dataset: go generate ./sources/demo
package main

import (
	"log"
	"os"

	"github.com/telx-cli/telx/sources/demo"
)

func main() {
	sc := demo.Generate(demo.DatasetSeed, demo.DatasetNow, demo.Options{})
	f, err := os.Create(demo.DatasetFile)
	if err != nil {
		log.Fatal(err)
	}
	if err := demo.WriteDataset(f, sc); err != nil {
		log.Fatal(err)
	}
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
}
