package fuzz

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/telx-cli/telx/internal/fuzzcheck"
	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/prometheus"
)

// The exemplars Prometheus answered for the harness's Jaeger span
// metrics (recorded by test/record-prometheus-fixtures.sh) decode into
// exemplars with their times, values and IDs, oldest first; read
// independently of the client here.
func TestExemplarsRecorded(t *testing.T) {
	body, err := os.ReadFile("../../../testdata/recorded/prometheus-exemplars.json")
	if err != nil {
		t.Fatal(err)
	}
	var rec struct {
		Data []struct {
			SeriesLabels map[string]string `json:"seriesLabels"`
			Exemplars    []struct {
				Labels    map[string]string `json:"labels"`
				Value     string            `json:"value"`
				Timestamp float64           `json:"timestamp"`
			} `json:"exemplars"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &rec); err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{} // trace/span/value
	for _, s := range rec.Data {
		for _, e := range s.Exemplars {
			want[e.Labels["trace_id"]+"/"+e.Labels["span_id"]+"/"+e.Value] = true
		}
	}
	if len(want) == 0 {
		t.Fatal("the fixture holds no exemplars")
	}
	ans := &fuzzcheck.Answer{Status: http.StatusOK, Body: body}
	c, err := prometheus.New(prometheus.Options{URL: "http://prometheus.test:9090", HTTPClient: ans.Client()})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	ex, err := c.Exemplars(context.Background(), `x_bucket{service_name="payments"}`, sources.TimeRange{From: now.Add(-time.Hour), To: now})
	if err != nil {
		t.Fatal(err)
	}
	checkExemplars(t, ex)
	got := map[string]bool{}
	for _, e := range ex {
		if e.Series["service_name"] != "payments" || !strings.HasSuffix(e.Series["__name__"], "_bucket") {
			t.Errorf("series %v", e.Series)
		}
		got[string(e.TraceID)+"/"+string(e.SpanID)+"/"+strconv.FormatFloat(e.Value, 'f', -1, 64)] = true
	}
	for k := range want {
		if !got[k] {
			t.Errorf("exemplar %s missing from %v", k, got)
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d exemplars, want %d", len(got), len(want))
	}
}

// The IDs come from OpenTelemetry's labels or the camel-case ones of
// other writers, normalised; a bad one is dropped, not the exemplar.
func TestExemplarIDs(t *testing.T) {
	for _, tc := range []struct {
		labels map[string]string
		trace  sources.TraceID
		span   sources.SpanID
	}{
		{map[string]string{"trace_id": "4fab3a683e554088051445e7a7883b39", "span_id": "29fa541bfc619736"}, "4fab3a683e554088051445e7a7883b39", "29fa541bfc619736"},
		{map[string]string{"traceID": "4FAB3A683E554088", "spanID": "29FA"}, "00000000000000004fab3a683e554088", "00000000000029fa"},
		{map[string]string{"trace_id": "not hex", "span_id": "29fa541bfc619736"}, "", "29fa541bfc619736"},
		{map[string]string{"trace_id": "00000000000000000000000000000000"}, "", ""},
		{map[string]string{"user": "x"}, "", ""},
	} {
		tr, sp := sources.ExemplarIDs(tc.labels)
		if tr != tc.trace || sp != tc.span {
			t.Errorf("%v: %q %q, want %q %q", tc.labels, tr, sp, tc.trace, tc.span)
		}
	}
}
