package cmd

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/telx-cli/telx/internal/build"
)

// VersionOptions are the inputs of `telx version`.
type VersionOptions struct {
	IO     *IO
	Global *GlobalOptions
	Info   func() build.Info
}

func newVersionCmd(io *IO, global *GlobalOptions) *cobra.Command {
	opts := &VersionOptions{IO: io, Global: global, Info: build.Get}
	c := &cobra.Command{
		Use:   "version",
		Short: "Print telx's version, commit and build date",
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(*cobra.Command, []string) error {
			return versionRun(opts)
		},
	}
	outputFormats(c, "text", "json")
	return c
}

func versionRun(opts *VersionOptions) error {
	format, err := outputFormat(opts.Global, "text", "json")
	if err != nil {
		return err
	}
	info := opts.Info()
	if format == "json" {
		enc := json.NewEncoder(opts.IO.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(info)
	}
	dirty := ""
	if info.Modified {
		dirty = ", modified"
	}
	_, err = fmt.Fprintf(opts.IO.Out, "telx %s (commit %s%s, built %s, %s)\n",
		info.Version, info.Commit, dirty, info.Date, info.GoVersion)
	return err
}
