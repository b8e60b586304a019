package sources

import "context"

// Dependency is the calls from one service to another that a tracing
// backend counted over a window (Jaeger's /api/dependencies).
type Dependency struct {
	Parent string `json:"parent"`
	Child  string `json:"child"`
	Calls  int64  `json:"calls"`
}

// DependencySource is a trace source whose backend computes the service
// dependency graph itself.
type DependencySource interface {
	// Dependencies returns the calls between services over r.
	Dependencies(ctx context.Context, r TimeRange) ([]Dependency, error)
}
