package fuzz

import (
	"context"
	"testing"
	"time"

	"github.com/telx-cli/telx/internal/fuzzcheck"
	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/prometheus"
)

var types = map[string]bool{"": true, "matrix": true, "vector": true, "scalar": true, "string": true}

// checkResult checks a query's result as the client gives it.
func checkResult(t *testing.T, res *sources.MetricResult) {
	t.Helper()
	if res == nil {
		t.Fatal("a nil result without an error")
	}
	if !types[res.Type] {
		t.Errorf("result type %q", res.Type)
	}
	for i, s := range res.Series {
		if s.Labels == nil {
			t.Errorf("series %d has nil labels", i)
		}
	}
}

// checkExemplars checks exemplars as the client gives them: oldest first,
// IDs normalised or empty, labels not nil.
func checkExemplars(t *testing.T, ex []sources.Exemplar) {
	t.Helper()
	for i, e := range ex {
		if i > 0 && e.Time.Before(ex[i-1].Time) {
			t.Errorf("exemplar %d is older than exemplar %d", i, i-1)
		}
		if e.TraceID != "" && !sources.IsNormalID(e.TraceID, 32) {
			t.Errorf("exemplar %d: trace ID %q", i, e.TraceID)
		}
		if e.SpanID != "" && !sources.IsNormalID(e.SpanID, 16) {
			t.Errorf("exemplar %d: span ID %q", i, e.SpanID)
		}
		if e.Labels == nil || e.Series == nil {
			t.Errorf("exemplar %d has nil labels", i)
		}
	}
}

// FuzzAnswer answers every call of the client with any status and body,
// seeded from Prometheus' recorded answers: no panic, results of a known
// type with labels, errors without control characters of the answer.
func FuzzAnswer(f *testing.F) {
	for _, b := range fuzzcheck.Recorded(f, "prometheus-*.json") {
		f.Add(byte(0), b)
		f.Add(byte(7), b)
	}
	for _, s := range []string{
		`{"status":"success","data":{"resultType":"scalar","result":[1764570000.5,"NaN"]}}`,
		`{"status":"success","data":{"resultType":"string","result":[1,"\u001b[2J"]}}`,
		`{"status":"success","data":{"resultType":"vector","result":[{"metric":{"a":"b"},"histogram":[1,{"count":"1","sum":"2","buckets":[[0,"1","2","1"]]}]}]},"warnings":["w"],"infos":["i"]}`,
		`{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"1"],[2,"+Inf"]],"histograms":[[3,{"count":"1","sum":"1"}]]}]}}`,
		`{"status":"error","errorType":"bad_data","error":"parse error: \u001b[31m"}`,
		`{"status":"success","data":[{"__name__":"up","job":"x"}]}`,
		`{"status":"success","data":[{"seriesLabels":{"__name__":"x_bucket","le":"1"},"exemplars":[{"labels":{"traceID":"ABC","spanID":"0x1"},"value":"NaN","timestamp":1764570000.5},{"labels":{"trace_id":"\u001b[2J"},"value":"1","timestamp":-1}]}]}`,
		`{"status":"success","data":{"alerts":[{"labels":{"alertname":"A"},"annotations":{},"state":"firing","activeAt":"2026-12-01T06:00:00Z","value":"1e+00"}]}}`,
	} {
		f.Add(byte(0), []byte(s))
	}
	f.Add(byte(14), []byte("<html>\x1b]0;pwned\x07 502</html>"))
	now := time.Date(2026, 12, 1, 6, 0, 0, 0, time.UTC)
	r := sources.TimeRange{From: now.Add(-time.Hour), To: now}
	f.Fuzz(func(t *testing.T, code byte, body []byte) {
		ans := &fuzzcheck.Answer{Status: fuzzcheck.StatusOf(code), Body: body}
		c, err := prometheus.New(prometheus.Options{URL: "http://prometheus.test:9090", HTTPClient: ans.Client()})
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		res, err := c.QueryRange(ctx, sources.MetricQuery{Query: "up", Range: r, Step: time.Minute})
		fuzzcheck.Error(t, err)
		if err == nil {
			checkResult(t, res)
			if res.Step <= 0 {
				t.Errorf("step %v", res.Step)
			}
		}
		res, err = c.Query(ctx, "up", now)
		fuzzcheck.Error(t, err)
		if err == nil {
			checkResult(t, res)
		}
		_, _, err = c.LabelValues(ctx, "job", nil, r)
		fuzzcheck.Error(t, err)
		_, _, err = c.Series(ctx, []string{"up"}, r)
		fuzzcheck.Error(t, err)
		ex, err := c.Exemplars(ctx, "x_bucket", r)
		fuzzcheck.Error(t, err)
		checkExemplars(t, ex)
		alerts, err := c.Alerts(ctx)
		fuzzcheck.Error(t, err)
		for i := 1; i < len(alerts); i++ {
			if alerts[i].ActiveAt.After(alerts[i-1].ActiveAt) {
				t.Errorf("alert %d is more recent than alert %d", i, i-1)
			}
		}
	})
}
