// Package fuzz holds the fuzz tests of package loki's decoders (streams,
// series, patterns, label answers) through the exported client, over an
// in-memory transport, and of its LogQL helpers. They live apart from
// package loki because its TestMain starts a real Loki, which Go would
// start again for every fuzz worker.
package fuzz
