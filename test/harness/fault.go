package harness

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// Fault is how a FaultServer answers every request.
type Fault string

// The faults. Each answers in the shape of the API asked (Jaeger's
// /api/v3 and /api, Prometheus', Loki's) where it has one.
const (
	// FaultHTML500 is a 500 with an HTML page, as a proxy in front of a
	// dead backend gives.
	FaultHTML500 Fault = "500 with an HTML body"
	// FaultHTML200 is a 200 with an HTML page: a login page, a URL
	// that is not the API's.
	FaultHTML200 Fault = "200 with an HTML body"
	// FaultEmpty502 is a 502 with no body.
	FaultEmpty502 Fault = "empty 502"
	// FaultTruncated is a 200 whose JSON stops in the middle, the body
	// ending cleanly (a server that crashed while writing, a cut proxy
	// buffer).
	FaultTruncated Fault = "truncated JSON"
	// FaultWrongShape is a 200 with a JSON object whose every field telx
	// reads holds the wrong type.
	FaultWrongShape Fault = "JSON of the wrong shape"
	// FaultNeverEnds is a 200 whose body starts well and then comes a
	// few bytes at a time, forever.
	FaultNeverEnds Fault = "a body that never ends"
	// FaultNoAnswer reads the request and sends nothing back, not even
	// headers.
	FaultNoAnswer Fault = "no answer"
	// FaultStall is a 200's headers, then nothing.
	FaultStall Fault = "headers then a stall"
	// FaultReset is a 200 whose connection is reset in the middle of
	// the body.
	FaultReset Fault = "reset mid-body"
	// FaultRedirectLoop is a redirect to itself, forever.
	FaultRedirectLoop Fault = "redirect loop"
	// Fault401 and Fault403 refuse the credentials.
	Fault401 Fault = "401"
	Fault403 Fault = "403"
	// FaultOverCap is a 200 whose valid answer goes on, fast, past
	// FaultServer.OverCap bytes.
	FaultOverCap Fault = "a body over the cap"
	// FaultNotWebSocket answers Loki's tail with a 200 and a page, as a
	// proxy that does not pass WebSocket upgrades may; other paths as
	// FaultOverCap's would, but within OverCap.
	FaultNotWebSocket Fault = "no WebSocket upgrade"
)

// Faults are the faults every one-shot command is tried against.
var Faults = []Fault{FaultHTML500, FaultHTML200, FaultEmpty502, FaultTruncated, FaultWrongShape, FaultNeverEnds, FaultNoAnswer, FaultStall,
	FaultReset, FaultRedirectLoop, Fault401, Fault403, FaultOverCap}

// FaultServer answers every request with one fault, on loopback.
type FaultServer struct {
	URL string // http://127.0.0.1:port
	// OverCap is how far FaultOverCap's body goes (default 20 MiB).
	OverCap int64

	fault Fault
	srv   *http.Server
	ln    net.Listener
	mu    sync.Mutex
	conns map[net.Conn]bool
	stop  chan struct{}
}

// StartFaultServer starts a server of fault on 127.0.0.1, stopped with
// the test.
func StartFaultServer(t testing.TB, fault Fault) *FaultServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &FaultServer{URL: "http://" + ln.Addr().String(), OverCap: 20 << 20, fault: fault, ln: ln,
		conns: map[net.Conn]bool{}, stop: make(chan struct{})}
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second, ConnState: s.track}
	go s.srv.Serve(ln)
	t.Cleanup(s.Close)
	return s
}

// Close stops the server and ends the answers in progress.
func (s *FaultServer) Close() {
	s.mu.Lock()
	select {
	case <-s.stop:
	default:
		close(s.stop)
	}
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.srv.Close()
}

func (s *FaultServer) track(c net.Conn, st http.ConnState) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch st {
	case http.StateNew:
		s.conns[c] = true
	case http.StateClosed, http.StateHijacked:
		delete(s.conns, c)
	}
}

// shape is the valid JSON of one API's answer: a head, an element that
// may repeat, and a tail that closes the document.
type shape struct {
	head, elem, tail string
	wrong            string // JSON of the wrong shape for this API
}

const wrongFields = `"status":"success","result":{"resourceSpans":{"oops":true}},"services":{"oops":true},"operations":{"oops":true}`

func shapeOf(path string) shape {
	const span = `{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331","name":"GET /x","startTimeUnixNano":"1764570000000000000","endTimeUnixNano":"1764570000100000000"}`
	switch {
	case strings.HasPrefix(path, "/api/v3/traces"):
		return shape{head: `{"result":{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"svc"}}]},"scopeSpans":[{"spans":[`,
			elem: span + ",", tail: span + `]}]}]}}`, wrong: `{` + wrongFields + `}`}
	case strings.HasPrefix(path, "/api/traces"):
		const uiSpan = `{"traceID":"0af7651916cd43dd8448eb211c80319c","spanID":"b7ad6b7169203331","operationName":"GET /x","startTime":1764570000000000,"duration":1000,"processID":"p1"}`
		return shape{head: `{"data":[{"traceID":"0af7651916cd43dd8448eb211c80319c","processes":{"p1":{"serviceName":"svc"}},"spans":[`,
			elem: uiSpan + ",", tail: uiSpan + `]}]}`, wrong: `{"data":{"oops":true}}`}
	case strings.HasPrefix(path, "/api/v3/services"):
		return shape{head: `{"services":[`, elem: `"service-with-a-name",`, tail: `"last"]}`, wrong: `{` + wrongFields + `}`}
	case strings.HasPrefix(path, "/api/v3/operations"):
		return shape{head: `{"operations":[`, elem: `{"name":"GET /x"},`, tail: `{"name":"last"}]}`, wrong: `{` + wrongFields + `}`}
	case strings.HasPrefix(path, "/api/services"):
		return shape{head: `{"data":[`, elem: `"service-with-a-name",`, tail: `"last"]}`, wrong: `{"data":{"oops":true}}`}
	case strings.HasPrefix(path, "/api/v1/query"): // and query_range
		return shape{head: `{"status":"success","data":{"resultType":"matrix","result":[`,
			elem:  `{"metric":{"__name__":"up","instance":"host:9100"},"values":[[1764570000,"1"],[1764570015,"1"]]},`,
			tail:  `{"metric":{"__name__":"up"},"values":[[1764570000,"1"]]}]}}`,
			wrong: `{"status":"success","data":{"resultType":"matrix","result":{"oops":true}}}`}
	case strings.HasPrefix(path, "/api/v1/alerts"):
		return shape{head: `{"status":"success","data":{"alerts":[`,
			elem:  `{"labels":{"alertname":"HighLatency"},"annotations":{},"state":"firing","activeAt":"2025-12-01T06:20:00Z","value":"1"},`,
			tail:  `{"labels":{"alertname":"Last"},"state":"firing","activeAt":"2025-12-01T06:20:00Z","value":"1"}]}}`,
			wrong: `{"status":"success","data":{"alerts":{"oops":true}}}`}
	case strings.HasPrefix(path, "/api/v1/"): // labels, label values, series
		return shape{head: `{"status":"success","data":[`, elem: `"a-label-value",`, tail: `"last"]}`,
			wrong: `{"status":"success","data":{"oops":true}}`}
	case strings.HasPrefix(path, "/loki/api/v1/query"):
		return shape{head: `{"status":"success","data":{"resultType":"streams","result":[`,
			elem:  `{"stream":{"service_name":"checkout","level":"info"},"values":[["1764570000000000000","level=info msg=\"a line of a log\" n=1"]]},`,
			tail:  `{"stream":{"service_name":"checkout"},"values":[["1764570000000000001","last"]]}]}}`,
			wrong: `{"status":"success","data":{"resultType":"streams","result":{"oops":true}}}`}
	case strings.HasPrefix(path, "/loki/api/v1/"): // labels, label values, series
		return shape{head: `{"status":"success","data":[`, elem: `"a-label-value",`, tail: `"last"]}`,
			wrong: `{"status":"success","data":{"oops":true}}`}
	}
	return shape{head: `{"data":[`, elem: `1,`, tail: `1]}`, wrong: `{` + wrongFields + `}`}
}

// ServeHTTP answers with the server's fault.
func (s *FaultServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	sh := shapeOf(r.URL.Path)
	json := func(code int) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
	}
	switch s.fault {
	case FaultHTML500:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprint(w, "<html>\r\n<head><title>500 Internal Server Error</title></head>\r\n<body>\r\n<center><h1>500 Internal Server Error</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n")
	case FaultHTML200:
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body>Sign in to continue</body></html>\n")
	case FaultEmpty502:
		w.WriteHeader(http.StatusBadGateway)
	case FaultTruncated:
		json(http.StatusOK)
		body := sh.head + sh.elem + sh.elem
		fmt.Fprint(w, body[:len(body)-len(sh.elem)/2])
	case FaultWrongShape:
		json(http.StatusOK)
		fmt.Fprint(w, sh.wrong)
	case FaultNeverEnds:
		json(http.StatusOK)
		fmt.Fprint(w, sh.head)
		for {
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return
			case <-s.stop:
				return
			case <-time.After(50 * time.Millisecond):
			}
			if _, err := fmt.Fprint(w, sh.elem); err != nil {
				return
			}
		}
	case FaultNoAnswer:
		select {
		case <-r.Context().Done():
		case <-s.stop:
		}
	case FaultStall:
		json(http.StatusOK)
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-s.stop:
		}
	case FaultReset:
		json(http.StatusOK)
		fmt.Fprint(w, sh.head+strings.Repeat(sh.elem, 100))
		w.(http.Flusher).Flush()
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		if tc, ok := conn.(*net.TCPConn); ok {
			tc.SetLinger(0) // a reset, not a clean close
		}
		conn.Close()
	case FaultRedirectLoop:
		http.Redirect(w, r, r.URL.RequestURI(), http.StatusFound)
	case Fault401:
		w.Header().Set("WWW-Authenticate", `Basic realm="telx"`)
		http.Error(w, "401 Unauthorized", http.StatusUnauthorized)
	case Fault403:
		http.Error(w, "403 Forbidden", http.StatusForbidden)
	case FaultOverCap, FaultNotWebSocket:
		if strings.HasSuffix(r.URL.Path, "/tail") && s.fault == FaultOverCap {
			s.tailOverCap(w, r, sh)
			return
		}
		if strings.HasSuffix(r.URL.Path, "/tail") && s.fault == FaultNotWebSocket {
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, "<html><body>Welcome to the corporate gateway</body></html>")
			return
		}
		json(http.StatusOK)
		limit := s.OverCap
		if s.fault == FaultNotWebSocket {
			limit = 0
		}
		bw := bufio.NewWriterSize(w, 256<<10)
		n, _ := bw.WriteString(sh.head)
		for written := int64(n); written <= limit; written += int64(len(sh.elem)) {
			if _, err := bw.WriteString(sh.elem); err != nil {
				return
			}
		}
		bw.WriteString(sh.tail)
		bw.Flush()
	default:
		http.Error(w, "unknown fault "+string(s.fault), http.StatusTeapot)
	}
}

// tailOverCap accepts Loki's tail WebSocket and sends one message of
// more than OverCap bytes.
func (s *FaultServer) tailOverCap(w http.ResponseWriter, r *http.Request, sh shape) {
	conn, err := websocket.Accept(w, r, nil)
	if err != nil {
		return
	}
	defer conn.CloseNow()
	const head, tail = `{"streams":[{"stream":{"service_name":"checkout"},"values":[`, `["1764570000000000001","last"]]}]}`
	const elem = `["1764570000000000000","level=info msg=\"a line of a log\" n=1"],`
	msg := head + strings.Repeat(elem, int(s.OverCap)/len(elem)+1) + tail
	if err := conn.Write(r.Context(), websocket.MessageText, []byte(msg)); err != nil {
		return
	}
	select {
	case <-r.Context().Done():
	case <-s.stop:
	case <-time.After(10 * time.Second):
	}
}
