package demo

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/telx-cli/telx/sources"
)

//go:generate go run gen.go

// The embedded dataset: the scenario generated once from DatasetSeed at
// DatasetNow, written by `go generate` (gen.go) and shifted at load time so
// that the incident ends at the moment telx starts.
const (
	DatasetSeed = 42
	DatasetFile = "data/incident.json.gz"
)

// DatasetNow is the fixed end of the generated scenario.
var DatasetNow = time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)

//go:embed data/incident.json.gz
var embedded []byte

// dataset is the file's content: the scenario without its metrics, which
// the generator computes on demand from the seed and the times.
type dataset struct {
	Seed          int64              `json:"seed"`
	Now           time.Time          `json:"now"`
	IncidentStart time.Time          `json:"incidentStart"`
	BigTraceID    sources.TraceID    `json:"bigTraceId"`
	SkewedTraceID sources.TraceID    `json:"skewedTraceId"`
	Traces        []*sources.Trace   `json:"traces"`
	Logs          []sources.LogEntry `json:"logs"`
}

// WriteDataset writes sc (without its metrics) as gzipped JSON.
func WriteDataset(w io.Writer, sc *Scenario) error {
	zw, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return err
	}
	d := dataset{Seed: sc.Seed, Now: sc.Now, IncidentStart: sc.IncidentStart, BigTraceID: sc.BigTraceID,
		SkewedTraceID: sc.SkewedTraceID, Traces: sc.Traces, Logs: sc.Logs}
	if err := json.NewEncoder(zw).Encode(d); err != nil {
		return err
	}
	return zw.Close()
}

// ReadDataset reads a file WriteDataset wrote and shifts every time in it
// so that the scenario ends at now (now zero: no shift). Integral attribute
// values come back as int64, others as float64.
func ReadDataset(r io.Reader, now time.Time) (*Scenario, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("demo dataset: %w", err)
	}
	dec := json.NewDecoder(zr)
	dec.UseNumber()
	var d dataset
	if err := dec.Decode(&d); err != nil {
		return nil, fmt.Errorf("demo dataset: %w", err)
	}
	var shift time.Duration
	if !now.IsZero() {
		shift = now.Truncate(time.Millisecond).Sub(d.Now)
	}
	sc := &Scenario{
		Seed: d.Seed, Now: d.Now.Add(shift), IncidentStart: d.IncidentStart.Add(shift),
		BigTraceID: d.BigTraceID, SkewedTraceID: d.SkewedTraceID, Traces: d.Traces, Logs: d.Logs,
	}
	sc.Window = sources.Last(time.Hour, sc.Now)
	for _, t := range sc.Traces {
		for i := range t.Spans {
			s := &t.Spans[i]
			s.Start = s.Start.Add(shift)
			fixNumbers(s.Attrs)
			fixNumbers(s.Resource)
			for j := range s.Events {
				s.Events[j].Time = s.Events[j].Time.Add(shift)
				fixNumbers(s.Events[j].Attrs)
			}
			for j := range s.Links {
				fixNumbers(s.Links[j].Attrs)
			}
		}
	}
	for i := range sc.Logs {
		e := &sc.Logs[i]
		if shift != 0 {
			e.Line = shiftLineTime(e.Line, e.Time, e.Time.Add(shift))
		}
		e.Time = e.Time.Add(shift)
	}
	sc.Metrics = newMetrics(sc.Seed, sc.IncidentStart, sc.Now)
	return sc, nil
}

func fixNumbers(as sources.Attrs) {
	for i := range as {
		if n, ok := as[i].Value.(json.Number); ok {
			if v, err := n.Int64(); err == nil {
				as[i].Value = v
			} else if f, err := n.Float64(); err == nil {
				as[i].Value = f
			}
		}
	}
}

// Load returns the embedded incident shifted to end at now. Each call
// decodes the embedded file afresh, so callers may keep what they get.
func Load(now time.Time) (*Scenario, error) {
	return ReadDataset(bytes.NewReader(embedded), now)
}
