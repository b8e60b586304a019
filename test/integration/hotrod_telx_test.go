package integration

import (
	"context"
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/telx-cli/telx/cmd"
	"github.com/telx-cli/telx/internal/teasync"
	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/jaeger"
	"github.com/telx-cli/telx/sources/loki"
	"github.com/telx-cli/telx/test/harness"
	"github.com/telx-cli/telx/tui"
	"github.com/telx-cli/telx/tui/logs"
	"github.com/telx-cli/telx/tui/styles"
)

// telx's commands on a real application's lines: HotROD's zap console
// lines, TABs and all, in the harness's Loki, its traces in its Jaeger.

func hotrodWindow(h *harness.HotROD) []string {
	r := h.Window()
	return []string{"--from", r.From.UTC().Format(time.RFC3339Nano), "--to", r.To.UTC().Format(time.RFC3339Nano)}
}

// telx logs -o raw prints what logcli -o raw prints, byte for byte.
func TestTelxRawIsLogcliRawOnHotROD(t *testing.T) {
	env, h := hotrod(t)
	bins, err := harness.FindBinaries(harness.Loki)
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range [][]string{{"--forward"}, {}} {
		args := append([]string{"query", harness.HotRODSelector, "--addr", env.LokiURL, "--limit", "5000", "-o", "raw", "--quiet"}, hotrodWindow(h)...)
		want, err := exec.Command(bins.LogCLI, append(args, dir...)...).Output()
		if err != nil {
			t.Fatalf("logcli: %v", err)
		}
		code, got, errOut := telx(t, env, append(append([]string{"logs", harness.HotRODSelector, "-o", "raw", "--limit", "5000"}, hotrodWindow(h)...), dir...)...)
		if code != cmd.ExitOK {
			t.Fatalf("telx logs: exit %d: %s", code, errOut)
		}
		if !strings.Contains(got, "\tERROR\tdriver/redis.go:") {
			t.Errorf("no TAB-separated redis timeout line in telx's raw output")
		}
		if got != string(want) {
			t.Errorf("%v: telx -o raw printed %d bytes (%d lines), logcli %d bytes (%d lines)", dir,
				len(got), strings.Count(got, "\n"), len(want), strings.Count(string(want), "\n"))
		}
		// so cut -f4 gives the messages
		for _, l := range strings.Split(strings.TrimSpace(got), "\n") {
			if f := strings.Split(l, "\t"); len(f) >= 4 && f[1] == "ERROR" && f[3] != "redis timeout" && !strings.HasPrefix(f[3], "Retrying") {
				t.Errorf("the fourth TAB field of an ERROR line is %q: %q", f[3], l)
			}
		}
	}
}

// The default output reads HotROD's lines: the line's time, its level,
// the service, the message, the JSON's fields; no \t anywhere. -o jsonl
// carries the parsed message and fields, and the TABs of the line.
func TestTelxLogsReadsHotRODLines(t *testing.T) {
	env, h := hotrod(t)
	rt := h.RedisTimeout
	code, out, errOut := telx(t, env, append([]string{"logs", `{job="hotrod", service_name="driver"} |= "redis timeout"`, "--utc", "--width", "200"}, hotrodWindow(h)...)...)
	if code != cmd.ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if strings.Contains(out, `\t`) || strings.Contains(out, "\t") {
		t.Errorf("a TAB shown:\n%s", out)
	}
	lineTime := rt.Entry.Time.UTC().Format("15:04:05.000")
	want := lineTime + " ERROR driver     redis timeout caller=driver/redis.go:"
	if !strings.Contains(out, want) || !strings.Contains(out, "span_id="+string(rt.SpanID)) {
		t.Errorf("no %q with its span ID in:\n%s", want, out)
	}

	code, out, errOut = telx(t, env, append([]string{"logs", `{job="hotrod"} | span_id="` + string(rt.SpanID) + `"`, "-o", "jsonl"}, hotrodWindow(h)...)...)
	if code != cmd.ExitOK {
		t.Fatalf("jsonl: exit %d: %s", code, errOut)
	}
	var e struct {
		Line, Format, Message string
		Fields                map[string]any
	}
	if err := json.Unmarshal([]byte(strings.TrimSpace(out)), &e); err != nil {
		t.Fatalf("jsonl %q: %v", out, err)
	}
	if e.Line != rt.Entry.Line || e.Format != "console" || e.Message != "redis timeout" || e.Fields["service"] != "driver" || e.Fields["span_id"] != string(rt.SpanID) {
		t.Errorf("jsonl: %+v", e)
	}
}

// telx logs --trace --span finds the failed redis-manual GetDriver span's
// "redis timeout" line, which HotROD logs under the service driver.
func TestTelxSpanLogsOfHotROD(t *testing.T) {
	env, h := hotrod(t)
	rt := h.RedisTimeout
	code, out, errOut := telx(t, env, "logs", "--trace", string(rt.TraceID), "--span", string(rt.SpanID),
		"--jaeger", h.JaegerURL, "-o", "raw")
	if code != cmd.ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if out != rt.Entry.Line+"\n" {
		t.Errorf("the span's lines:\n%s\nwant only:\n%s\nstderr: %s", out, rt.Entry.Line, errOut)
	}
}

// The explorer's Logs pane, on HotROD's trace in its Jaeger, finds the
// redis-manual span's line; the trace's lines mark it.
func TestLogsPaneFindsHotRODsRedisTimeout(t *testing.T) {
	env, h := hotrod(t)
	rt := h.RedisTimeout
	jc, err := jaeger.New(jaeger.Options{URL: h.JaegerURL})
	if err != nil {
		t.Fatal(err)
	}
	lc, err := loki.New(loki.Options{URL: env.LokiURL})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	tr, err := jc.Trace(ctx, rt.TraceID)
	if err != nil {
		t.Fatal(err)
	}
	span := tr.Span(rt.SpanID)
	if span == nil || span.Service != "redis-manual" {
		t.Fatalf("span %s: %+v", rt.SpanID, span)
	}
	update := func(p tui.Pane, msg tea.Msg) (tui.Pane, tea.Cmd) { return p.Update(msg) }
	var m tui.Pane = logs.New(logs.Options{Source: lc, Styles: styles.New(false), Location: time.UTC, Timeout: 20 * time.Second})
	m = m.SetSize(160, 12)
	m = teasync.Run(m, update, tui.SpanSelectedMsg{Trace: tr, Span: span, Range: tr.TimeRange()})
	p := m.(logs.Model)
	if got := p.Lines(); len(got) != 1 || got[0].Line != rt.Entry.Line {
		t.Fatalf("the span's lines: %d, %v\n%s", len(got), got, p.View())
	}
	if v := p.View(); !strings.Contains(v, "ERROR driver     redis timeout caller=driver/redis.go:") {
		t.Errorf("the pane:\n%s", v)
	}
	m = teasync.Run(m, update, tea.KeyPressMsg{Code: 't', Text: "t"})
	p = m.(logs.Model)
	if p.Scope() != logs.ScopeTrace || len(p.Lines()) < 40 {
		t.Errorf("trace scope: %v, %d lines", p.Scope(), len(p.Lines()))
	}
	var of []*sources.LogEntry
	for _, e := range p.Lines() {
		if e.SpanID == rt.SpanID {
			of = append(of, e)
		}
	}
	if len(of) != 1 {
		t.Errorf("%d of the trace's lines are the span's", len(of))
	}
}
