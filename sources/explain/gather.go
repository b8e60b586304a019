package explain

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/correlate"
)

// Sources are the backends Gather asks; any may be nil (that part of the
// evidence is then missing, and says so).
type Sources struct {
	Metrics sources.MetricSource
	Rules   sources.RuleSource
	Logs    sources.LogSource
	Traces  sources.TraceSource
}

// Options tune Gather.
type Options struct {
	// ServiceLabels name the alert's service (DefaultServiceLabels).
	ServiceLabels []string
	// LogServiceLabel is the Loki label of a service's streams
	// (correlate.DefaultServiceLabel).
	LogServiceLabel string
	// Lead is how far before the alert went pending the window starts
	// (DefaultLead).
	Lead time.Duration
	// MaxLogs, MaxTraces bound the logs and each list of traces shown
	// (DefaultMaxLogs, DefaultMaxTraces); Sample is how many of the
	// window's newest traces the slowest are chosen from (DefaultSample).
	MaxLogs, MaxTraces, Sample int
	// MaxSeries bounds the series shown, the alert's first (DefaultMaxSeries).
	MaxSeries int
	// Now is the end of the window.
	Now time.Time
}

// Defaults of Options.
const (
	DefaultLead      = 10 * time.Minute
	DefaultMaxLogs   = 15
	DefaultMaxTraces = 5
	DefaultSample    = 100
	DefaultMaxSeries = 8
)

// LogLevels are the levels of the logs the evidence shows, as Loki's
// detected_level writes them.
const LogLevels = "error|warn|critical|fatal"

// Series is one series of the rule's expression over the window.
type Series struct {
	sources.Series
	// Alert says the series is the alert's own.
	Alert bool `json:"alert"`
	// Crossed is when it last crossed the threshold (zero: not in the
	// window); Held says it was beyond it from the window's start.
	Crossed time.Time `json:"crossed,omitzero"`
	Held    bool      `json:"held,omitempty"`
}

// Evidence is what explains an alert.
type Evidence struct {
	Alert Alert `json:"alert"`
	// Rule is the alerting rule it comes from (nil when none was found).
	Rule *sources.Rule `json:"rule,omitempty"`
	// Threshold is the rule's comparison against a constant, when it has
	// one.
	Threshold *Threshold `json:"threshold,omitempty"`
	// Pending is when the alert went pending (or its best guess: when it
	// fired less the rule's for), Window what the evidence covers.
	Pending time.Time         `json:"pending"`
	Window  sources.TimeRange `json:"window"`
	// Query is what the series are of (the threshold's left side, else
	// the rule's expression); Step their resolution.
	Query  string        `json:"query,omitempty"`
	Step   time.Duration `json:"step,omitempty"`
	Series []Series      `json:"series"`
	// SeriesTotal is how many series the query returned (Series may hold
	// fewer).
	SeriesTotal int `json:"seriesTotal"`

	Service      string             `json:"service,omitempty"`
	ServiceLabel string             `json:"serviceLabel,omitempty"`
	LogQuery     string             `json:"logQuery,omitempty"`
	Logs         []sources.LogEntry `json:"logs"`
	// LogsMore says there were more logs than shown (the newest are).
	LogsMore bool `json:"logsMore,omitempty"`
	// Failing are the service's failing traces in the window, slowest
	// first; Slowest the slowest of its Sample newest traces.
	Failing []*sources.Trace `json:"failing"`
	Slowest []*sources.Trace `json:"slowest"`
	Sample  int              `json:"sample"`

	// Problems say what could not be found or asked, one line each,
	// sanitised; the evidence holds what the others gave.
	Problems []string `json:"problems,omitempty"`
}

func (o *Options) defaults() {
	if o.Lead <= 0 {
		o.Lead = DefaultLead
	}
	if o.MaxLogs <= 0 {
		o.MaxLogs = DefaultMaxLogs
	}
	if o.MaxTraces <= 0 {
		o.MaxTraces = DefaultMaxTraces
	}
	if o.Sample <= 0 {
		o.Sample = DefaultSample
	}
	if o.MaxSeries <= 0 {
		o.MaxSeries = DefaultMaxSeries
	}
	if o.LogServiceLabel == "" {
		o.LogServiceLabel = correlate.DefaultServiceLabel
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
}

// Window is the evidence's window for an alert that went pending at
// pending: from lead before it until now (at least lead long).
func Window(pending, now time.Time, lead time.Duration) sources.TimeRange {
	from := pending.Add(-lead)
	if pending.IsZero() || !from.Before(now) {
		from = now.Add(-lead)
	}
	return sources.TimeRange{From: from, To: now}
}

// Step is the resolution of the series over r: about 240 points, never
// under 15 seconds, in whole seconds.
func Step(r sources.TimeRange) time.Duration {
	return max(15*time.Second, (r.Duration() / 240).Truncate(time.Second))
}

// Gather finds the alert's rule, then asks for its series, its service's
// logs and traces at once, each under ctx. It never fails as a whole: a
// part that could not be had is in Problems.
func Gather(ctx context.Context, src Sources, a Alert, o Options) *Evidence {
	o.defaults()
	ev := &Evidence{Alert: a, Logs: []sources.LogEntry{}, Failing: []*sources.Trace{}, Slowest: []*sources.Trace{}, Series: []Series{}}
	problem := func(what string, err error) {
		msg, _, _ := strings.Cut(err.Error(), "\n")
		ev.Problems = append(ev.Problems, sources.Sanitize(what+": "+msg))
	}
	if src.Rules != nil {
		groups, err := src.Rules.Rules(ctx)
		if err != nil {
			problem("rules", err)
		} else if ev.Rule = FindRule(groups, a); ev.Rule == nil {
			ev.Problems = append(ev.Problems, "rules: no alerting rule "+sources.Sanitize(a.Name)+" has this alert's labels")
		}
	} else {
		ev.Problems = append(ev.Problems, "rules: no rule source")
	}
	ev.Pending = a.ActiveAt
	if ev.Pending.IsZero() && !a.StartsAt.IsZero() {
		ev.Pending = a.StartsAt
		if ev.Rule != nil {
			ev.Pending = a.StartsAt.Add(-ev.Rule.For)
		}
	}
	ev.Window = Window(ev.Pending, o.Now, o.Lead)
	ev.Service, ev.ServiceLabel = a.Service(o.ServiceLabels)

	var wg sync.WaitGroup
	var mu sync.Mutex
	locked := func(f func()) { mu.Lock(); defer mu.Unlock(); f() }
	if ev.Rule != nil && src.Metrics != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := ev.series(ctx, src.Metrics, o)
			if err != nil {
				locked(func() { problem("series", err) })
			}
		}()
	}
	if ev.Service == "" {
		labels := o.ServiceLabels
		if len(labels) == 0 {
			labels = DefaultServiceLabels
		}
		ev.Problems = append(ev.Problems, "service: the alert has none of the labels "+strings.Join(labels, ", ")+": no logs or traces")
	} else {
		if src.Logs != nil {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := ev.logs(ctx, src.Logs, o); err != nil {
					locked(func() { problem("logs", err) })
				}
			}()
		}
		if src.Traces != nil {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := ev.traces(ctx, src.Traces, o); err != nil {
					locked(func() { problem("traces", err) })
				}
			}()
		}
	}
	wg.Wait()
	return ev
}

// series asks for the rule's expression (its compared side) over the
// window, and finds each series' crossing.
func (ev *Evidence) series(ctx context.Context, ms sources.MetricSource, o Options) error {
	ev.Query = ev.Rule.Query
	if t, ok := ParseThreshold(ev.Rule.Query); ok {
		ev.Threshold = &t
		ev.Query = t.Query
	}
	var res *sources.MetricResult
	// when the alert's series was beyond the threshold from the window's
	// start (Prometheus restarted, say, or the rule was added late), the
	// window reaches further back, up to MaxWindow, to find the crossing
	for {
		ev.Step = Step(ev.Window)
		var err error
		res, err = ms.QueryRange(ctx, sources.MetricQuery{Query: ev.Query, Range: ev.Window, Step: ev.Step})
		if err != nil {
			return err
		}
		d := ev.Window.Duration()
		if ev.Threshold == nil || !heldFromStart(res.Series, ev.Alert, *ev.Threshold) || d >= MaxWindow {
			break
		}
		ev.Window.From = ev.Window.To.Add(-min(MaxWindow, 4*d))
	}
	if res.Step > 0 {
		ev.Step = res.Step
	}
	ev.SeriesTotal = len(res.Series)
	var out []Series
	for _, s := range res.Series {
		es := Series{Series: s, Alert: SeriesOfAlert(s, ev.Alert)}
		if ev.Threshold != nil {
			es.Crossed, es.Held = Crossing(s.Points, *ev.Threshold)
		}
		out = append(out, es)
	}
	// the alert's first, then those that crossed, then by labels
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Alert != out[j].Alert {
			return out[i].Alert
		}
		if ci, cj := !out[i].Crossed.IsZero(), !out[j].Crossed.IsZero(); ci != cj {
			return ci
		}
		return labelKey(out[i].Labels) < labelKey(out[j].Labels)
	})
	if len(out) > o.MaxSeries {
		out = out[:o.MaxSeries]
	}
	ev.Series = append(ev.Series, out...)
	return nil
}

func labelKey(ls map[string]string) string {
	keys := make([]string, 0, len(ls))
	for k := range ls {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(k + "=" + ls[k] + ",")
	}
	return b.String()
}

// MaxWindow is how far back the series' window may reach to find the
// crossing.
const MaxWindow = 24 * time.Hour

// heldFromStart tells whether the alert's series is beyond t from its
// first point on.
func heldFromStart(ss []sources.Series, a Alert, t Threshold) bool {
	for _, s := range ss {
		if SeriesOfAlert(s, a) {
			at, held := Crossing(s.Points, t)
			return held && !at.IsZero()
		}
	}
	return false
}

// LogQuery is the LogQL of a service's error and warning lines: Loki
// picks them by their detected level.
func LogQuery(label, service string) string {
	return correlate.Selector(label, []string{service}) + ` | detected_level=~"` + LogLevels + `"`
}

// logs asks for the service's newest error and warning lines in the
// window, and shows them oldest first.
func (ev *Evidence) logs(ctx context.Context, ls sources.LogSource, o Options) error {
	ev.LogQuery = LogQuery(o.LogServiceLabel, ev.Service)
	var got []sources.LogEntry
	err := ls.QueryLogs(ctx, sources.LogQuery{Query: ev.LogQuery, Range: ev.Window, Limit: o.MaxLogs + 1, Direction: sources.Backward},
		func(e sources.LogEntry) error {
			got = append(got, e)
			return nil
		})
	if err != nil {
		return err
	}
	if len(got) > o.MaxLogs {
		got, ev.LogsMore = got[:o.MaxLogs], true
	}
	for i := len(got) - 1; i >= 0; i-- {
		ev.Logs = append(ev.Logs, got[i])
	}
	return nil
}

// traces asks Jaeger for the service's failing traces (error=true) in
// the window and for its newest, the slowest of which are kept.
func (ev *Evidence) traces(ctx context.Context, ts sources.TraceSource, o Options) error {
	ev.Sample = o.Sample
	var errs []error
	failing, err := ts.FindTraces(ctx, sources.TraceQuery{Service: ev.Service, Range: ev.Window, Tags: map[string]string{"error": "true"}, Limit: o.Sample})
	if err != nil {
		errs = append(errs, fmt.Errorf("failing: %w", err))
	}
	newest, err := ts.FindTraces(ctx, sources.TraceQuery{Service: ev.Service, Range: ev.Window, Limit: o.Sample})
	if err != nil {
		errs = append(errs, fmt.Errorf("slowest: %w", err))
	}
	// a failing trace among the newest counts too (a backend that does
	// not tag errors)
	seen := map[sources.TraceID]bool{}
	var fail []*sources.Trace
	for _, t := range append(failing, newest...) {
		if t != nil && !seen[t.ID] && t.ErrorCount() > 0 {
			seen[t.ID] = true
			fail = append(fail, t)
		}
	}
	byDuration(fail)
	byDuration(newest)
	ev.Failing = append(ev.Failing, fail[:min(len(fail), o.MaxTraces)]...)
	for _, t := range newest {
		if len(ev.Slowest) >= o.MaxTraces {
			break
		}
		if t != nil {
			ev.Slowest = append(ev.Slowest, t)
		}
	}
	return errors.Join(errs...)
}

func byDuration(ts []*sources.Trace) {
	sort.SliceStable(ts, func(i, j int) bool {
		if ts[i] == nil || ts[j] == nil {
			return ts[j] == nil && ts[i] != nil
		}
		return ts[i].TimeRange().Duration() > ts[j].TimeRange().Duration()
	})
}

// Traces are the evidence's traces to open, in the order shown: the
// failing, then the slowest not among them.
func (ev *Evidence) Traces() []*sources.Trace {
	out := append([]*sources.Trace{}, ev.Failing...)
	seen := map[sources.TraceID]bool{}
	for _, t := range ev.Failing {
		seen[t.ID] = true
	}
	for _, t := range ev.Slowest {
		if !seen[t.ID] {
			out = append(out, t)
		}
	}
	return out
}
