// Package fuzz holds the fuzz tests of how package prometheus's answers
// become the model, through the exported client over an in-memory
// transport. They live apart from package prometheus because its TestMain
// starts a real Prometheus, which Go would start again for every fuzz
// worker.
package fuzz
