// Package fuzz holds the fuzz tests of package jaeger's decoders: the
// Jaeger UI JSON, the HTTP answers of /api/v3 and /api, and the gRPC
// answers, each through the exported client, over an in-memory transport.
// They live apart from package jaeger because its TestMain starts a real
// Jaeger, which Go would start again for every fuzz worker.
package fuzz
