package cmd

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/charmbracelet/colorprofile"
)

// Traces recorded from the harness's Jaeger by test/record-compare-fixtures.sh.
const (
	hotrodFast     = "../testdata/recorded/jaeger-hotrod-dispatch-fast.json"
	hotrodSlow     = "../testdata/recorded/jaeger-hotrod-dispatch-slow.json"
	hotrodFastID   = "96100aa0891e84469af0a97068821b20"
	hotrodSlowID   = "1886f886b98c7d549d1069bf584409a0"
	checkoutOK     = "../testdata/recorded/jaeger-checkout-ok.json"
	checkoutFailed = "../testdata/recorded/jaeger-checkout-failed.json"
)

// recordedJaeger serves the recorded traces at Jaeger's /api/traces/{id},
// and Jaeger's 404 for any other ID; it counts the requests in flight at
// once, at most.
func recordedJaeger(t *testing.T, files ...string) (string, *atomic.Int32) {
	t.Helper()
	byID := map[string][]byte{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct{ Data []struct{ TraceID string } }
		if err := json.Unmarshal(b, &doc); err != nil || len(doc.Data) != 1 {
			t.Fatalf("%s: %v", f, err)
		}
		byID[doc.Data[0].TraceID] = b
	}
	var inFlight, most atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			m := most.Load()
			if n <= m || most.CompareAndSwap(m, n) {
				break
			}
		}
		time.Sleep(50 * time.Millisecond) // both requests overlap, if sent at once
		id := strings.TrimPrefix(r.URL.Path, "/api/traces/")
		b, ok := byID[id]
		if !ok {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"data":null,"total":0,"limit":0,"offset":0,"errors":[{"code":404,"msg":"trace not found"}]}`))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(b)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, &most
}

func TestCompareFromJaeger(t *testing.T) {
	url, most := recordedJaeger(t, hotrodFast, hotrodSlow)
	code, out, errOut := runWith(t, 80, colorprofile.NoTTY, "", "compare", hotrodFastID, hotrodSlowID,
		"--jaeger", url, "--jaeger-protocol", "v1", "--width", "80")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if most.Load() != 2 {
		t.Errorf("%d requests at once at most: the traces were not fetched concurrently", most.Load())
	}
	// the same as from the files
	_, fromFiles, _ := runWith(t, 80, colorprofile.NoTTY, "", "compare", "--file", hotrodFast, "--file", hotrodSlow, "--width", "80")
	if out != fromFiles {
		t.Errorf("from Jaeger:\n%s\nfrom the files:\n%s", out, fromFiles)
	}
	golden(t, "compare/hotrod-80", out)
}

func TestCompareJSON(t *testing.T) {
	code, out, errOut := runWith(t, 80, colorprofile.NoTTY, "", "compare", "--file", checkoutOK, "--file", checkoutFailed, "-o", "json", "--min-delta", "1ms")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	type side struct {
		SpanID        string `json:"spanId"`
		DurationNanos int64  `json:"durationNanos"`
		SelfNanos     int64  `json:"selfNanos"`
		Error         bool   `json:"error"`
	}
	type node struct {
		Service, Operation, In string
		A, B                   *side
		DeltaNanos             int64 `json:"deltaNanos"`
		SelfDeltaNanos         int64 `json:"selfDeltaNanos"`
		Rank, Folded           int
		Children               []*node
	}
	var got struct {
		A, B struct {
			TraceID       string `json:"traceId"`
			RootService   string `json:"rootService"`
			DurationNanos int64  `json:"durationNanos"`
			Spans, Errors int
		}
		DeltaNanos         int64 `json:"deltaNanos"`
		Both, OnlyA, OnlyB int
		MinDeltaNanos      int64 `json:"minDeltaNanos"`
		Folded             int
		Spans              []*node
		Largest            []struct {
			Rank               int
			Service, Operation string
			In                 string
			Path               []string
			SelfDeltaNanos     int64 `json:"selfDeltaNanos"`
		}
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	if got.A.TraceID != "672731db5cf3e3073e5901c427d35ee0" || got.B.Errors != 4 || got.A.Spans != 8 || got.B.Spans != 7 ||
		got.DeltaNanos != got.B.DurationNanos-got.A.DurationNanos || got.Both != 7 || got.OnlyA != 1 || got.OnlyB != 0 ||
		got.MinDeltaNanos != int64(time.Millisecond) {
		t.Errorf("the summary: %+v", got)
	}
	// the tree: nodes whose subtrees changed less than 1ms are folded
	var walk func(n *node, depth int) int
	shown := 0
	walk = func(n *node, depth int) int {
		shown++
		folded := n.Folded
		if n.In == "a" && (n.A == nil || n.B != nil) || n.In == "both" && (n.A == nil || n.B == nil) {
			t.Errorf("%s %s is %q with sides %v %v", n.Service, n.Operation, n.In, n.A, n.B)
		}
		var a, b side
		if n.A != nil {
			a = *n.A
		}
		if n.B != nil {
			b = *n.B
		}
		if n.SelfDeltaNanos != b.SelfNanos-a.SelfNanos || n.DeltaNanos != b.DurationNanos-a.DurationNanos {
			t.Errorf("%s %s: deltas %d %d of %+v → %+v", n.Service, n.Operation, n.DeltaNanos, n.SelfDeltaNanos, a, b)
		}
		for _, c := range n.Children {
			folded += walk(c, depth+1)
		}
		return folded
	}
	folded := 0
	for _, n := range got.Spans {
		folded += walk(n, 0)
	}
	if folded != got.Folded || shown+folded != 8 || folded == 0 {
		t.Errorf("%d shown, %d folded (%d said)", shown, folded, got.Folded)
	}
	if len(got.Largest) != 5 || got.Largest[0].Service != "postgres" || got.Largest[0].Operation != "SELECT accounts" ||
		strings.Join(got.Largest[0].Path, " › ") != "frontend POST /api/checkout › checkout PlaceOrder › payments Charge › postgres SELECT accounts" {
		t.Errorf("the largest differences: %+v", got.Largest)
	}
	for i, l := range got.Largest {
		if l.Rank != i+1 {
			t.Errorf("largest %d has rank %d", i, l.Rank)
		}
	}
}

func TestCompareBadInput(t *testing.T) {
	url, _ := recordedJaeger(t, hotrodFast)
	missing := "0123456789abcdef0123456789abcdef"
	tests := []struct {
		name    string
		args    []string
		code    int
		wantErr string
	}{
		{"one ID", []string{"compare", hotrodFastID}, ExitUsage, "give two trace IDs"},
		{"no ID", []string{"compare"}, ExitUsage, "give two trace IDs"},
		{"three IDs", []string{"compare", "a", "b", "c"}, ExitUsage, "accepts at most 2 arg"},
		{"bad ID", []string{"compare", hotrodFastID, "xyz!"}, ExitUsage, "trace B"},
		{"negative min delta", []string{"compare", "--file", hotrodFast, "--file", hotrodSlow, "--min-delta", "-1ms"}, ExitUsage, "--min-delta"},
		{"bad output", []string{"compare", "--file", hotrodFast, "--file", hotrodSlow, "-o", "otlp"}, ExitUsage, "unsupported output format"},
		{"three files", []string{"compare", "--file", hotrodFast, "--file", hotrodSlow, "--file", hotrodSlow}, ExitUsage, "at most twice"},
		{"one file of one trace", []string{"compare", "--file", hotrodFast}, ExitUsage, "holds 1 trace(s)"},
		{"ID not in the file", []string{"compare", hotrodFastID, missing, "--file", hotrodFast}, ExitNotFound, "trace B (" + missing + ") is not in"},
		{"B missing in Jaeger", []string{"compare", hotrodFastID, missing, "--jaeger", url, "--jaeger-protocol", "v1"}, ExitNotFound, "trace B (" + missing + ")"},
		{"unreachable Jaeger", []string{"compare", hotrodFastID, missing, "--jaeger", "http://127.0.0.1:1", "--jaeger-protocol", "v1"}, ExitError, "trace A (" + hotrodFastID + ")"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runWith(t, 80, colorprofile.NoTTY, "", tt.args...)
			if code != tt.code || !strings.Contains(errOut, tt.wantErr) {
				t.Errorf("exit %d, want %d; stderr %q, want %q", code, tt.code, errOut, tt.wantErr)
			}
			if out != "" {
				t.Errorf("stdout: %q", out)
			}
		})
	}
}

func TestTraceFlame(t *testing.T) {
	for _, width := range []string{"80", "200"} {
		code, out, errOut := runWith(t, 100, colorprofile.NoTTY, "", "trace", "--file", hotrodSlow, "--flame", "--width", width)
		if code != ExitOK {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		golden(t, "trace/flame-hotrod-"+width, out)
	}
}
