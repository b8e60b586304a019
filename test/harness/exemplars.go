package harness

// JaegerDurationBuckets is the histogram of span durations that the
// span-metrics connectors of the harness's Jaegers (the shared one, with
// the scenario's traces, and HotROD's) make, with exemplars: the trace and
// span IDs of spans it counted. The connector's own names are
// traces_span_metrics_*; the harness's Jaegers export them under the
// namespace jaeger, as the scenario's simulated span metrics have those
// names already (both in one series would change the scenario's sums).
// Prometheus scrapes them in OpenMetrics as job "jaeger".
const JaegerDurationBuckets = "jaeger_traces_span_metrics_duration_milliseconds_bucket"
