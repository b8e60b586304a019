package cmd

import (
	"github.com/telx-cli/telx/sources/demo"
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
