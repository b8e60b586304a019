package cmd

import (
	"context"
	"errors"
	"time"

	"github.com/spf13/cobra"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/demo"
	"github.com/telx-cli/telx/sources/loki"
)

// demoSource returns the embedded demo incident, shifted to end now,
// loaded on first use: it answers for Jaeger, Loki and Prometheus alike.
func (o *GlobalOptions) demoSource() (*demo.Source, error) {
	if o.demo == nil {
		sc, err := demo.Load(o.now())
		if err != nil {
			return nil, err
		}
		o.demo = demo.NewSource(sc)
	}
	return o.demo, nil
}

// demoLogs is the demo incident as a log backend for `telx logs`: it
// answers log queries in the demo's LogQL subset; metric queries and
// following need a live Loki.
type demoLogs struct{ *demo.Source }

func (demoLogs) QueryMetrics(context.Context, string, sources.TimeRange, time.Duration) ([]sources.Series, error) {
	return nil, UsageError(errors.New("the demo answers log queries only; metric LogQL needs a live Loki (--loki)"))
}

func (demoLogs) Follow(context.Context, sources.LogQuery, loki.FollowOptions, func(sources.LogEntry) error) error {
	return UsageError(errors.New("the demo's logs are fixed: --follow needs a live Loki (--loki)"))
}

// logBackend is Loki, or the demo with --demo.
func (o *GlobalOptions) logBackend(c *cobra.Command, io *IO, lf *lokiFlags) (LogBackend, error) {
	if o.Demo {
		ds, err := o.demoSource()
		if err != nil {
			return nil, err
		}
		return demoLogs{ds}, nil
	}
	return lf.client(c, io, o)
}

// traceSource is Jaeger, or the demo with --demo.
func (o *GlobalOptions) traceSource(io *IO, jf *jaegerFlags) (sources.TraceSource, error) {
	if o.Demo {
		return o.demoSource()
	}
	return jf.client(io, o)
}
