package demo

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Metric names, as the OpenTelemetry Collector's span-metrics connector
// names them in Prometheus (namespace traces.span.metrics, unit ms).
const (
	CallsMetric    = "traces_span_metrics_calls_total"
	DurationMetric = "traces_span_metrics_duration_milliseconds"
	callsFamily    = "traces_span_metrics_calls"
	statusOK       = "STATUS_CODE_UNSET"
	statusError    = "STATUS_CODE_ERROR"
	spanKindServer = "SPAN_KIND_SERVER"
	// MetricsStep is the resolution of the generated samples.
	MetricsStep = 15 * time.Second
	// MetricsHistory is how far back before the scenario's end the metrics go.
	MetricsHistory = 3 * time.Hour
	// Job and Instance label every series, backfilled or scraped alike.
	Job      = "otel-collector"
	Instance = "spanmetrics:8889"
)

// DurationBuckets are the span-metrics connector's default histogram
// bounds, in milliseconds.
var DurationBuckets = []float64{2, 4, 6, 8, 10, 50, 100, 200, 400, 800, 1000, 1400, 2000, 5000, 10000, 15000}

// op is one (service, span name) the metrics cover, with its model.
type op struct {
	service, span string
	rate          float64 // requests per second
	median        func(x float64) float64
	errRate       func(x float64) float64
}

func constant(v float64) func(float64) float64 { return func(float64) float64 { return v } }

func ramp(base, add float64) func(float64) float64 {
	return func(x float64) float64 { return base + add*x }
}

// ops: the incident is payments' account lookup in postgres; it slows
// payments' Charge, which fails checkout's PlaceOrder and the frontend's
// POST /api/checkout.
var ops = []op{
	{Frontend, "POST /api/checkout", 3.0, ramp(60, 900), ramp(0.005, 0.28)},
	{Frontend, "GET /api/products", 5.0, constant(12), constant(0.001)},
	{Frontend, "GET /api/cart", 2.0, constant(4), constant(0.001)},
	{Checkout, "PlaceOrder", 3.0, ramp(55, 900), ramp(0.005, 0.28)},
	{Checkout, "GetCart", 2.0, constant(3), constant(0.001)},
	{Payments, "Charge", 3.0, ramp(45, 900), ramp(0.01, 0.30)},
	{Inventory, "ReserveItems", 3.0, constant(6), constant(0.002)},
	{Inventory, "ListProducts", 5.0, constant(5), constant(0.001)},
	{Shipping, "GetQuote", 2.9, constant(6), constant(0.002)},
	{Postgres, "SELECT accounts", 3.0, ramp(3, 900), ramp(0, 0.30)},
	{Postgres, "UPDATE stock", 3.0, constant(4), constant(0.001)},
	{Postgres, "SELECT products", 1.7, constant(8), constant(0.001)},
	{Redis, "GET", 8.0, constant(1), constant(0.0005)},
	{Redis, "HGETALL", 2.0, constant(1), constant(0.0005)},
}

// Metrics is the scenario's span metrics: counters and histograms per
// (service, span name, status), from Now-MetricsHistory on, at MetricsStep,
// and on past the scenario's end at full incident intensity.
type Metrics struct {
	seed          uint64
	incidentStart time.Time
	now           time.Time
	// From is the time of the first sample.
	From time.Time

	mu sync.Mutex
	// cum[k] holds every series' cumulative value at step k.
	cum [][]float64
}

// SeriesCount is how many series Metrics exposes.
func SeriesCount() int { return len(ops) * 2 * perStatus }

func newMetrics(seed int64, incidentStart, now time.Time) *Metrics {
	return &Metrics{
		seed:          uint64(seed),
		incidentStart: incidentStart,
		now:           now,
		From:          now.Add(-MetricsHistory).Truncate(MetricsStep),
	}
}

// values per op and status: calls, buckets..., +Inf, sum, count.
var perStatus = 1 + len(DurationBuckets) + 1 + 2

func (m *Metrics) step(t time.Time) int {
	if t.Before(m.From) {
		return -1
	}
	return int(t.Sub(m.From) / MetricsStep)
}

// StepTime is the time of step k.
func (m *Metrics) StepTime(k int) time.Time { return m.From.Add(time.Duration(k) * MetricsStep) }

// values returns the cumulative values at step k, computing the steps
// up to k once.
func (m *Metrics) values(k int) []float64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	for len(m.cum) <= k {
		n := len(m.cum)
		next := make([]float64, len(ops)*2*perStatus)
		if n > 0 {
			copy(next, m.cum[n-1])
		}
		m.addStep(n, next)
		m.cum = append(m.cum, next)
	}
	return m.cum[k]
}

// addStep adds step k's increments to vals.
func (m *Metrics) addStep(k int, vals []float64) {
	t := m.StepTime(k)
	x := Intensity(m.incidentStart, m.now, t)
	wave := 1 + 0.1*math.Sin(2*math.Pi*float64(t.Unix())/1800)
	for i, o := range ops {
		noise := 0.9 + 0.2*unit(m.seed, uint64(i), uint64(t.Unix()))
		calls := math.Round(o.rate * MetricsStep.Seconds() * wave * noise)
		errs := math.Round(calls * o.errRate(x))
		med := o.median(x)
		for s, count := range []float64{calls - errs, errs} {
			base := (i*2 + s) * perStatus
			vals[base] += count
			for b, le := range DurationBuckets {
				vals[base+1+b] += math.Round(count * lognormalCDF(le, med, 0.5))
			}
			vals[base+1+len(DurationBuckets)] += count // +Inf
			vals[base+2+len(DurationBuckets)] += count * med * math.Exp(0.5*0.5/2)
			vals[base+3+len(DurationBuckets)] += count
		}
	}
}

func lognormalCDF(x, median, sigma float64) float64 {
	return 0.5 * math.Erfc(-(math.Log(x)-math.Log(median))/(sigma*math.Sqrt2))
}

// unit hashes its inputs to a number in [0, 1) (splitmix64).
func unit(a, b, c uint64) float64 {
	z := a*0x9e3779b97f4a7c15 ^ b*0xbf58476d1ce4e5b9 ^ c*0x94d049bb133111eb
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	z ^= z >> 31
	return float64(z>>11) / (1 << 53)
}

// Sample is one series' value.
type Sample struct {
	Name   string
	Labels map[string]string
	Value  float64
}

// At returns every series' value at t (the last step at or before t);
// nothing before the first step. The calls series come first, then the
// duration histogram's, as the exposition formats want families whole.
func (m *Metrics) At(t time.Time) []Sample {
	k := m.step(t)
	if k < 0 {
		return nil
	}
	vals := m.values(k)
	out := make([]Sample, 0, SeriesCount())
	for _, family := range []string{callsFamily, DurationMetric} {
		for i, o := range ops {
			for s, status := range []string{statusOK, statusError} {
				base := (i*2 + s) * perStatus
				labels := func(extra ...string) map[string]string {
					l := map[string]string{
						"service_name": o.service, "span_name": o.span, "span_kind": spanKindServer,
						"status_code": status, "job": Job, "instance": Instance,
					}
					if len(extra) == 2 {
						l[extra[0]] = extra[1]
					}
					return l
				}
				if family == callsFamily {
					out = append(out, Sample{CallsMetric, labels(), vals[base]})
					continue
				}
				for b, le := range DurationBuckets {
					out = append(out, Sample{DurationMetric + "_bucket", labels("le", formatFloat(le)), vals[base+1+b]})
				}
				out = append(out,
					Sample{DurationMetric + "_bucket", labels("le", "+Inf"), vals[base+1+len(DurationBuckets)]},
					Sample{DurationMetric + "_sum", labels(), vals[base+2+len(DurationBuckets)]},
					Sample{DurationMetric + "_count", labels(), vals[base+3+len(DurationBuckets)]},
				)
			}
		}
	}
	return out
}

// WriteText writes every series' value at t in the Prometheus text
// exposition format, as a /metrics endpoint serves it.
func (m *Metrics) WriteText(w io.Writer, t time.Time) error {
	var b strings.Builder
	samples := m.At(t)
	for i, s := range samples {
		if i == 0 || familyOf(s.Name) != familyOf(samples[i-1].Name) {
			writeHeader(&b, familyOf(s.Name), false)
		}
		writeSample(&b, s, "")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteOpenMetrics writes every series at every step in [from, to] in the
// OpenMetrics format promtool backfills from: families whole, each series'
// samples in time order, timestamps in seconds, closed by # EOF.
func (m *Metrics) WriteOpenMetrics(w io.Writer, from, to time.Time) error {
	first, last := m.step(from), m.step(to)
	if first < 0 {
		first = 0
	}
	if from.After(m.StepTime(first)) {
		first++
	}
	var steps [][]Sample
	for k := first; k <= last; k++ {
		steps = append(steps, m.At(m.StepTime(k)))
	}
	var b strings.Builder
	if len(steps) > 0 {
		for i, s := range steps[0] {
			if i == 0 || familyOf(s.Name) != familyOf(steps[0][i-1].Name) {
				writeHeader(&b, familyOf(s.Name), true)
			}
			for j := range steps {
				writeSample(&b, steps[j][i], strconv.FormatInt(m.StepTime(first+j).Unix(), 10))
			}
			if b.Len() > 1<<20 {
				if _, err := io.WriteString(w, b.String()); err != nil {
					return err
				}
				b.Reset()
			}
		}
	}
	b.WriteString("# EOF\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// familyOf returns the metric family a sample belongs to.
func familyOf(name string) string {
	if name == CallsMetric {
		return callsFamily
	}
	return DurationMetric
}

func writeHeader(b *strings.Builder, family string, openMetrics bool) {
	switch {
	case family == callsFamily && openMetrics:
		fmt.Fprintf(b, "# HELP %s Calls per span.\n# TYPE %s counter\n", callsFamily, callsFamily)
	case family == callsFamily:
		fmt.Fprintf(b, "# HELP %s Calls per span.\n# TYPE %s counter\n", CallsMetric, CallsMetric)
	default:
		fmt.Fprintf(b, "# HELP %s Span durations in milliseconds.\n# TYPE %s histogram\n", family, family)
	}
}

var labelOrder = []string{"job", "instance", "service_name", "span_name", "span_kind", "status_code", "le"}

func writeSample(b *strings.Builder, s Sample, ts string) {
	b.WriteString(s.Name)
	b.WriteByte('{')
	first := true
	for _, k := range labelOrder {
		v, ok := s.Labels[k]
		if !ok {
			continue
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		b.WriteString(k)
		b.WriteString(`="`)
		b.WriteString(strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(v))
		b.WriteByte('"')
	}
	b.WriteString("} ")
	b.WriteString(formatFloat(s.Value))
	if ts != "" {
		b.WriteByte(' ')
		b.WriteString(ts)
	}
	b.WriteByte('\n')
}

func formatFloat(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
