package logs

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/telx-cli/telx/internal/golden"
	"github.com/telx-cli/telx/internal/teasync"
	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/correlate"
	"github.com/telx-cli/telx/tui"
	"github.com/telx-cli/telx/tui/internal/tracetest"
	"github.com/telx-cli/telx/tui/styles"
)

// press is the press of a key (teasync.Key).
var press = teasync.Key

// run feeds msg and every message its commands lead to back to the pane,
// synchronously, and returns the messages meant for the explorer.
func run(m Model, msg tea.Msg) (Model, []tea.Msg) {
	var out []tea.Msg
	queue := []tea.Msg{msg}
	for len(queue) > 0 {
		msg, queue = queue[0], queue[1:]
		switch msg := msg.(type) {
		case tea.BatchMsg:
			for _, c := range msg {
				if c != nil {
					queue = append(queue, c())
				}
			}
			continue
		case tui.StatusMsg, tui.OpenTraceMsg:
			out = append(out, msg)
			continue
		}
		p, cmd := m.Update(msg)
		m = p.(Model)
		if cmd != nil {
			queue = append(queue, cmd())
		}
	}
	return m, out
}

func keys(m Model, ks ...string) (Model, []tea.Msg) {
	var out []tea.Msg
	for _, k := range ks {
		var o []tea.Msg
		m, o = run(m, press(k))
		out = append(out, o...)
	}
	return m, out
}

// bigTrace is the demo's order export and its first failed payments span,
// which logged an error.
func bigTrace(t testing.TB) (*sources.Trace, *sources.Span) {
	src := tracetest.Demo(t)
	tr, err := src.Trace(context.Background(), src.Scenario().BigTraceID)
	if err != nil {
		t.Fatal(err)
	}
	for _, nd := range sources.BuildTree(tr).Nodes {
		if nd.Span.Service == "payments" && nd.Span.IsError() {
			return tr, nd.Span
		}
	}
	t.Fatal("no failed payments span")
	return nil, nil
}

func newPane(t testing.TB, src sources.LogSource, w, h int, color bool) Model {
	m := New(Options{Source: src, Styles: styles.New(color), Location: time.UTC})
	return m.SetSize(w, h).(Model)
}

func selectSpan(m Model, tr *sources.Trace, s *sources.Span) (Model, []tea.Msg) {
	return run(m, tui.SpanSelectedMsg{Trace: tr, Span: s, Range: tr.TimeRange()})
}

func checkBox(t *testing.T, view string, w, h int) {
	t.Helper()
	lines := strings.Split(view, "\n")
	if len(lines) != h {
		t.Errorf("%d lines, want %d", len(lines), h)
	}
	for i, l := range lines {
		if got := ansi.StringWidth(l); got != w {
			t.Errorf("line %d is %d wide, want %d: %q", i, got, w, l)
		}
	}
}

func TestLogsGolden(t *testing.T) {
	tr, span := bigTrace(t)
	for _, size := range [][2]int{{80, 24}, {200, 50}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			m := newPane(t, tracetest.Demo(t), size[0], size[1], false)
			if v := m.View(); !strings.Contains(v, "No trace open") {
				t.Errorf("empty pane:\n%s", v)
			}
			m, out := selectSpan(m, tr, span)
			if len(out) != 2 || !out[0].(tui.StatusMsg).Loading || out[1].(tui.StatusMsg).Loading || out[1].(tui.StatusMsg).Err != nil {
				t.Errorf("status messages %v, want loading then done", out)
			}
			lines := m.Lines()
			if len(lines) == 0 {
				t.Fatal("no lines for the span")
			}
			for _, e := range lines {
				if e.SpanID != span.SpanID || e.TraceID != tr.ID {
					t.Errorf("a line of span %s/%s in the span's logs", e.TraceID, e.SpanID)
				}
			}
			v := m.View()
			checkBox(t, v, size[0], size[1])
			if !strings.Contains(v, "ERROR payments") || !strings.Contains(v, "payment status unavailable: database lock timeou") {
				t.Errorf("the span's error line is missing:\n%s", v)
			}
			if !strings.Contains(m.Title(), "span payments "+span.Operation) {
				t.Errorf("title %q", m.Title())
			}
			// the whole trace: more lines, of several services
			m, _ = keys(m, "t")
			if m.Scope() != ScopeTrace || len(m.Lines()) <= len(lines) {
				t.Errorf("trace scope: %d lines, span scope %d", len(m.Lines()), len(lines))
			}
			services := map[string]bool{}
			for _, e := range m.Lines() {
				services[e.Labels["service_name"]] = true
			}
			if len(services) < 3 {
				t.Errorf("the trace's lines come from %v", services)
			}
			v = m.View()
			checkBox(t, v, size[0], size[1])
			golden.Check(t, v)
		})
	}
}

func TestFilters(t *testing.T) {
	tr, span := bigTrace(t)
	m := newPane(t, tracetest.Demo(t), 100, 30, false)
	m, _ = selectSpan(m, tr, span)
	m, _ = keys(m, "t")
	all := len(m.Lines())
	levels := map[string]int{}
	for _, e := range m.Lines() {
		levels[e.Level]++
	}
	if levels["error"] == 0 || levels["info"] == 0 || levels["warn"] == 0 {
		t.Fatalf("levels %v: the test wants info, warn and error lines", levels)
	}
	m, _ = keys(m, "l")
	if n := len(m.Lines()); n != levels["warn"]+levels["error"] {
		t.Errorf("warn+: %d lines, want %d", n, levels["warn"]+levels["error"])
	}
	m, _ = keys(m, "l")
	for _, e := range m.Lines() {
		if e.Level != "error" {
			t.Errorf("level error shows a %s line", e.Level)
		}
	}
	if !strings.Contains(m.View(), "level error") {
		t.Error("the status line does not say the level filter")
	}
	m, _ = keys(m, "l")
	if len(m.Lines()) != all {
		t.Errorf("all levels again: %d lines, want %d", len(m.Lines()), all)
	}

	// a regex, ignoring case; q types into the prompt
	m, _ = keys(m, "/")
	if !m.Typing() {
		t.Fatal("/ opens no prompt")
	}
	m, _ = keys(m, strings.Split("EXPORT.*batch", "")...)
	m, _ = keys(m, "enter")
	if m.Typing() {
		t.Fatal("enter left the prompt open")
	}
	got := m.Lines()
	if len(got) == 0 || len(got) == all {
		t.Fatalf("the filter keeps %d of %d lines", len(got), all)
	}
	for _, e := range got {
		if !strings.Contains(strings.ToLower(e.Line), "export") {
			t.Errorf("the filter kept %q", e.Line)
		}
	}
	// a bad regex keeps the prompt open with its error
	m, _ = keys(m, "/", "(", "enter")
	if !m.Typing() || !strings.Contains(m.View(), "missing closing )") {
		t.Errorf("a bad regex:\n%s", m.View())
	}
	m, _ = keys(m, "esc", "esc")
	if len(m.Lines()) != all {
		t.Errorf("esc leaves %d lines, want %d", len(m.Lines()), all)
	}

	// wrap: long JSON lines take several rows, the selection stays in view
	m, _ = keys(m, "G")
	before := m.View()
	m, _ = keys(m, "w")
	after := m.View()
	checkBox(t, after, 100, 30)
	if before == after || !strings.Contains(after, "wrap") {
		t.Errorf("wrap changed nothing:\n%s", after)
	}
	if !strings.Contains(after, "▶") {
		t.Errorf("the selection is out of view after wrapping:\n%s", after)
	}
	m, _ = keys(m, "g")
	if !strings.Contains(m.View(), "▶") {
		t.Error("the selection is out of view at the top")
	}
}

// In colour, what the filter matches is painted.
func TestFilterMarksMatches(t *testing.T) {
	tr, span := bigTrace(t)
	st := styles.New(true)
	m := newPane(t, tracetest.Demo(t), 120, 20, true)
	m, _ = selectSpan(m, tr, span)
	m, _ = keys(m, "t", "/", "l", "o", "c", "k", "enter", "j")
	if want := st.Match().Apply("lock"); !strings.Contains(m.View(), want) {
		t.Errorf("no marked match in:\n%q", m.View())
	}
}

// blockingSource answers nothing until its query is cancelled.
type blockingSource struct {
	sources.LogSource
	started chan string
	ended   chan error
}

func (b blockingSource) QueryLogs(ctx context.Context, q sources.LogQuery, _ func(sources.LogEntry) error) error {
	b.started <- q.Query
	<-ctx.Done()
	b.ended <- ctx.Err()
	return ctx.Err()
}

// A new selection cancels the query in flight; its answer, stale, is
// dropped.
func TestStaleResultIsDropped(t *testing.T) {
	tr, span := bigTrace(t)
	src := blockingSource{started: make(chan string, 4), ended: make(chan error, 4)}
	m := newPane(t, src, 80, 10, false)
	p, cmd := m.Update(tui.SpanSelectedMsg{Trace: tr, Span: span})
	m = p.(Model)
	first := make(chan tea.Msg, 1)
	go func() {
		for _, c := range cmd().(tea.BatchMsg) {
			if msg := c(); msg != nil {
				if _, ok := msg.(ResultMsg); ok {
					first <- msg
				}
			}
		}
	}()
	<-src.started
	if !m.Loading() || !strings.Contains(m.View(), "loading the span's logs") {
		t.Fatalf("loading:\n%s", m.View())
	}
	// the selection moves on: the first query is cancelled
	other := tr.Root()
	p, _ = m.Update(tui.SpanSelectedMsg{Trace: tr, Span: other})
	m = p.(Model)
	if err := <-src.ended; !errors.Is(err, context.Canceled) {
		t.Errorf("the first query ended with %v, want cancelled", err)
	}
	stale := (<-first).(ResultMsg)
	p, cmd = m.Update(stale)
	m = p.(Model)
	if !m.Loading() || m.Err() != nil {
		t.Errorf("the stale answer was taken: loading %v, err %v", m.Loading(), m.Err())
	}
	if st, ok := cmd().(tui.StatusMsg); !ok || st.Loading || st.Err != nil {
		t.Errorf("the stale answer reports %v, want done without error", st)
	}
	if !strings.Contains(m.Title(), other.Operation) {
		t.Errorf("title %q", m.Title())
	}
}

type failingSource struct{ sources.LogSource }

func (failingSource) QueryLogs(context.Context, sources.LogQuery, func(sources.LogEntry) error) error {
	return errors.New("loki at http://loki:3100: connection refused")
}

func TestFailedQueryShowsItsError(t *testing.T) {
	tr, span := bigTrace(t)
	m := newPane(t, failingSource{}, 80, 10, false)
	m, out := selectSpan(m, tr, span)
	v := m.View()
	checkBox(t, v, 80, 10)
	if !strings.Contains(v, "connection refused") || !strings.Contains(v, `query: {service_name=~".+"} | span_id="`+string(span.SpanID)+`"`) {
		t.Errorf("the error is not in the pane:\n%s", v)
	}
	if st := out[len(out)-1].(tui.StatusMsg); st.Err == nil || st.Source != "logs" {
		t.Errorf("the status bar is not told: %v", out)
	}
}

// Enter on a line of another trace asks the explorer to open it; on a
// line of the open trace, nothing.
func TestEnterOpensTheLinesTrace(t *testing.T) {
	tr, span := bigTrace(t)
	m := newPane(t, tracetest.Demo(t), 120, 20, false)
	m, _ = selectSpan(m, tr, span)
	if _, out := keys(m, "enter"); len(out) != 0 {
		t.Errorf("enter on a line of the open trace: %v", out)
	}
	m, _ = keys(m, "t", "t") // the service's lines around the span
	if m.Scope() != ScopeService {
		t.Fatalf("scope %v", m.Scope())
	}
	if sel := m.Selected(); sel == nil || sel.Time.Before(span.Start) {
		t.Fatalf("the selection %v does not start at the span", sel)
	}
	var want sources.TraceID
	for i := 0; i < len(m.Lines()) && want == ""; i++ {
		if e := m.Selected(); e.TraceID != "" && e.TraceID != tr.ID {
			want = e.TraceID
			break
		}
		m, _ = keys(m, "k")
	}
	if want == "" {
		t.Fatal("no line of another trace")
	}
	if !strings.Contains(m.View(), "enter: open trace "+string(want)[:12]) {
		t.Errorf("the status line does not offer to open it:\n%s", m.View())
	}
	_, out := keys(m, "enter")
	if len(out) != 1 || out[0] != (tui.OpenTraceMsg{TraceID: want}) {
		t.Errorf("enter sent %v, want to open %s", out, want)
	}
}

// synthetic returns n log lines of a few services and levels, in the
// formats real services write: JSON, logfmt, zap's console (TABs), an
// access log.
func synthetic(n int) []sources.LogEntry {
	out := make([]sources.LogEntry, n)
	levels := []string{"info", "info", "warn", "error", "debug"}
	formats := []string{
		`{"level":%[1]q,"ts":"%[3]s","msg":"request %[2]d handled with a rather long message to fill the row","n":%[2]d}`,
		`ts=%[3]s level=%[1]s caller=server.go:88 msg="request %[2]d handled with a rather long message to fill the row" n=%[2]d`,
		"%[3]s\t%[1]s\tdriver/redis.go:70\trequest %[2]d handled with a rather long message to fill the row\t{\"service\": \"driver\", \"n\": %[2]d}",
		`10.0.3.17 - - [%[4]s] "GET /request/%[2]d/handled HTTP/1.1" 200 1382 "-" "Mozilla/5.0 (X11; Linux x86_64)"`,
	}
	for i := range out {
		at := tracetest.Now.Add(time.Duration(i) * time.Millisecond)
		out[i] = sources.LogEntry{
			Time:    at,
			Line:    fmt.Sprintf(formats[i%4], levels[i%5], i, at.UTC().Format("2006-01-02T15:04:05.000Z07:00"), at.UTC().Format("02/Jan/2006:15:04:05 -0700")),
			Labels:  map[string]string{"service_name": []string{"payments", "checkout", "frontend"}[i%3]},
			Level:   levels[i%5],
			TraceID: sources.TraceID(fmt.Sprintf("%032x", i/10)),
		}
	}
	return out
}

// Only the rows in view are drawn: a view of 100k lines has the pane's
// height, and moving to the end keeps the selection in view.
func TestLargeLoad(t *testing.T) {
	tr, span := bigTrace(t)
	m := newPane(t, failingSource{}, 120, 20, false)
	m.trace, m.span = tr, span
	m.SetEntries(synthetic(100000))
	m, _ = keys(m, "G")
	v := m.View()
	checkBox(t, v, 120, 20)
	if !strings.Contains(v, "GET /request/99999/handled") || !strings.Contains(v, "line 100000/100000") {
		t.Errorf("the end:\n%s", v)
	}
}

// BenchmarkLogsKeyView is a key and the pane's View with 100k lines
// loaded, at 200x50, cut and wrapped.
func BenchmarkLogsKeyView(b *testing.B) {
	tr, span := bigTrace(b)
	for _, wrap := range []bool{false, true} {
		b.Run(fmt.Sprintf("lines=100000/wrap=%v", wrap), func(b *testing.B) {
			m := newPane(b, failingSource{}, 200, 50, true)
			m.trace, m.span = tr, span
			m.SetEntries(synthetic(100000))
			m.wrap = wrap
			m.MoveDown(50000)
			ks := []tea.KeyPressMsg{press("j"), press("k")}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				p, _ := m.Update(ks[i%2])
				m = p.(Model)
				_ = m.View()
			}
		})
	}
	// while live mode brings two lines before each key (200 lines a second
	// at 100 keys a second), the oldest going past the cap of 100k: in
	// the middle of the lines, and following the bottom
	for _, at := range []string{"middle", "bottom"} {
		b.Run("lines=100000/arriving/at="+at, func(b *testing.B) {
			m := New(Options{Source: failingSource{}, Styles: styles.New(true), Location: time.UTC, MaxLines: 100000}).SetSize(200, 50).(Model)
			m.trace, m.span = tr, span
			m.SetEntries(synthetic(100000))
			m.live.on, m.live.tail, m.live.q = true, newTailer(100000), correlate.SpanQuery{BySpan: true}
			if at == "bottom" {
				m.MoveDown(100000)
			} else {
				m.MoveDown(50000)
			}
			arriving := synthetic(2 * (b.N + 1))
			for i := range arriving {
				arriving[i].Time = arriving[i].Time.Add(time.Hour)
			}
			ks := []tea.KeyPressMsg{press("j"), press("k")}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				p, _ := m.Update(TailMsg{ID: m.ID(), Seq: m.live.seq, Entries: arriving[2*i : 2*i+2]})
				m = p.(Model)
				p, _ = m.Update(ks[i%2])
				m = p.(Model)
				_ = m.View()
			}
			b.StopTimer()
			if len(m.entries) > 100000 || (b.N > 1000 && m.DroppedOlder() == 0) {
				b.Fatalf("%d lines kept, %d dropped", len(m.entries), m.DroppedOlder())
			}
		})
	}
}

// A span without lines says so, with the query and the window, and how
// to see the trace's.
func TestNoLines(t *testing.T) {
	tr, _ := bigTrace(t)
	var quiet *sources.Span
	for i := range tr.Spans {
		if tr.Spans[i].Service == "redis" {
			quiet = &tr.Spans[i]
		}
	}
	m := newPane(t, tracetest.Demo(t), 100, 9, false)
	m, _ = selectSpan(m, tr, quiet)
	v := m.View()
	checkBox(t, v, 100, 9)
	if len(m.Lines()) != 0 || !strings.Contains(v, `No log lines between `) ||
		!strings.Contains(v, `{service_name=~".+"} | span_id="`+string(quiet.SpanID)+`"`) ||
		!strings.Contains(v, `{service_name="redis"} |= "`+string(tr.ID)+`"`) || !strings.Contains(v, "t shows the whole trace's lines.") {
		t.Errorf("a span without lines:\n%s", v)
	}
}

// Every key works with no line loaded, while loading, and with every
// line filtered out, wrapped or not.
func TestKeysWithoutLines(t *testing.T) {
	tr, span := bigTrace(t)
	all := []string{"j", "k", "g", "G", "w", "l", "enter", "j", "w", "k"}
	m := newPane(t, tracetest.Demo(t), 80, 6, true)
	m, _ = keys(m, all...) // nothing selected yet
	p, _ := m.Update(tui.SpanSelectedMsg{Trace: tr, Span: span})
	m = p.(Model) // loading
	for _, k := range all {
		p, _ = m.Update(press(k))
		m = p.(Model)
		checkBox(t, m.View(), 80, 6)
	}
	m, _ = selectSpan(newPane(t, tracetest.Demo(t), 80, 6, true), tr, span)
	if err := m.SetFilter("no line says this"); err != nil {
		t.Fatal(err)
	}
	m, _ = keys(m, all...)
	if v := m.View(); !strings.Contains(v, "No line passes the filters.") {
		t.Errorf("everything filtered out:\n%s", v)
	}
}

// Keys, selections and answers in any order, at any size: no panic, the
// view keeps its box.
func TestAnyOrder(t *testing.T) {
	tr, span := bigTrace(t)
	src := tracetest.Demo(t)
	spans := []*sources.Span{span, tr.Root(), &tr.Spans[len(tr.Spans)-1]}
	ks := []string{"j", "k", "g", "G", "w", "l", "t", "enter", "/", "(", "x", "enter", "esc", "esc"}
	for seed := 0; seed < 20; seed++ {
		r := newRand(seed)
		w, h := 1+r.intn(120), 1+r.intn(30)
		m := newPane(t, src, w, h, seed%2 == 0)
		var pending []tea.Cmd
		for step := 0; step < 60; step++ {
			var cmd tea.Cmd
			var p tui.Pane
			switch r.intn(4) {
			case 0:
				p, cmd = m.Update(tui.SpanSelectedMsg{Trace: tr, Span: spans[r.intn(len(spans))]})
			case 1:
				if len(pending) > 0 {
					i := r.intn(len(pending))
					c := pending[i]
					pending = append(pending[:i], pending[i+1:]...)
					msg := c()
					if b, ok := msg.(tea.BatchMsg); ok {
						pending = append(pending, b...)
						continue
					}
					p, cmd = m.Update(msg)
				} else {
					continue
				}
			case 2:
				p = m.SetSize(1+r.intn(120), 1+r.intn(30))
			default:
				p, cmd = m.Update(press(ks[r.intn(len(ks))]))
			}
			m = p.(Model)
			if cmd != nil {
				pending = append(pending, cmd)
			}
			v := m.View()
			if n := strings.Count(v, "\n") + 1; m.height > 0 && n != m.height {
				t.Fatalf("seed %d step %d: %d lines, want %d", seed, step, n, m.height)
			}
		}
	}
}

// newRand is a small deterministic generator (xorshift), so that a
// failing seed fails again.
type xorshift struct{ s uint64 }

func newRand(seed int) *xorshift { return &xorshift{uint64(seed)*2654435761 + 88172645463325252} }

func (x *xorshift) intn(n int) int {
	x.s ^= x.s << 13
	x.s ^= x.s >> 7
	x.s ^= x.s << 17
	return int(x.s % uint64(n))
}
