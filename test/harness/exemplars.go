package harness

import (
	"context"
	"fmt"
	"time"
)

// JaegerDurationBuckets is the histogram of span durations that the
// span-metrics connectors of the harness's Jaegers (the shared one, with
// the scenario's traces, and HotROD's) make, with exemplars: the trace and
// span IDs of spans it counted. The connector's own names are
// traces_span_metrics_*; the harness's Jaegers export them under the
// namespace jaeger, as the scenario's simulated span metrics have those
// names already (both in one series would change the scenario's sums).
// Prometheus scrapes them in OpenMetrics as job "jaeger".
const JaegerDurationBuckets = "jaeger_traces_span_metrics_duration_milliseconds_bucket"

// waitScraped waits until Prometheus has scraped each of the n Jaegers'
// span metrics once (it applies new targets up to 5s after it is ready),
// for at most 20s: a Jaeger that failed to start fails its own run.
func (e *Env) waitScraped(ctx context.Context, n int) error {
	if n == 0 {
		return nil
	}
	u := Query(e.PrometheusURL, "/api/v1/query", "query", `count(up{job="jaeger"})`)
	deadline := time.Now().Add(20 * time.Second)
	for {
		var body struct {
			Data struct {
				Result []struct {
					Value [2]any `json:"value"`
				} `json:"result"`
			} `json:"data"`
		}
		err := getJSON(ctx, e.client, u, &body)
		if err == nil && len(body.Data.Result) == 1 && body.Data.Result[0].Value[1] == fmt.Sprint(n) {
			return nil
		}
		if time.Now().After(deadline) {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}
