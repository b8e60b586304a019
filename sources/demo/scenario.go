// Package demo generates telx's demo incident: one hour of traces, logs and
// span metrics for a small shop in which the payments service slows down
// and starts failing. The same scenario seeds the real backends in telx's
// tests and backs `telx demo`.
package demo

import (
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/telx-cli/telx/sources"
)

// Service names of the scenario.
const (
	Frontend  = "frontend"
	Checkout  = "checkout"
	Payments  = "payments"
	Inventory = "inventory"
	Shipping  = "shipping"
	Postgres  = "postgres"
	Redis     = "redis"
)

// Services lists every service of the scenario.
var Services = []string{Frontend, Checkout, Payments, Inventory, Shipping, Postgres, Redis}

// Scenario is one generated incident.
type Scenario struct {
	Seed int64
	// Now is the end of the scenario: the moment it was generated for.
	Now time.Time
	// Window is the hour of traces and logs, ending at Now.
	Window sources.TimeRange
	// IncidentStart is when payments begins to degrade.
	IncidentStart time.Time
	Traces        []*sources.Trace
	Logs          []sources.LogEntry
	// BigTraceID is the trace of over 1,000 spans (an order export).
	BigTraceID sources.TraceID
	// SkewedTraceID is a trace whose shipping span starts before its
	// parent: the shipping host's clock runs behind.
	SkewedTraceID sources.TraceID
	Metrics       *Metrics
}

// Options tune the generator; the zero value gives the standard scenario.
type Options struct {
	// Traces is the number of ordinary traces (default 240).
	Traces int
	// BigTraceBatches is how many batches the big trace exports; each
	// batch adds 10 spans (default 120, so 1,202 spans).
	BigTraceBatches int
}

// Generate builds the scenario for seed, ending at now. The same seed and
// now give the same scenario.
func Generate(seed int64, now time.Time, opts Options) *Scenario {
	if opts.Traces == 0 {
		opts.Traces = 240
	}
	if opts.BigTraceBatches == 0 {
		opts.BigTraceBatches = 120
	}
	now = now.Truncate(time.Millisecond)
	sc := &Scenario{
		Seed:          seed,
		Now:           now,
		Window:        sources.Last(time.Hour, now),
		IncidentStart: now.Add(-20 * time.Minute),
	}
	sc.Metrics = newMetrics(seed, sc.IncidentStart, now)
	g := &generator{sc: sc, rng: rand.New(rand.NewPCG(uint64(seed), 0x7e1c5))}

	// Ordinary traces, spread over the hour, the newest a minute before now.
	span := sc.Window.Duration() - time.Minute
	for i := 0; i < opts.Traces; i++ {
		offset := time.Duration(float64(span) * (float64(i) + g.rng.Float64()) / float64(opts.Traces))
		start := sc.Window.From.Add(offset)
		switch r := g.rng.Float64(); {
		case i == opts.Traces/3:
			g.checkoutTrace(start, true)
		case r < 0.45:
			g.checkoutTrace(start, false)
		case r < 0.80:
			g.productsTrace(start)
		default:
			g.cartTrace(start)
		}
	}
	g.bigTrace(now.Add(-10*time.Minute), opts.BigTraceBatches)

	sort.Slice(sc.Traces, func(i, j int) bool {
		return sc.Traces[i].Spans[0].Start.Before(sc.Traces[j].Spans[0].Start)
	})
	sort.SliceStable(sc.Logs, func(i, j int) bool { return sc.Logs[i].Time.Before(sc.Logs[j].Time) })
	return sc
}

// Intensity is how far the incident has gone at t: 0 before it starts,
// rising to 1 two minutes before the end of the scenario, then staying.
func Intensity(incidentStart, now, t time.Time) float64 {
	if t.Before(incidentStart) {
		return 0
	}
	full := now.Add(-2 * time.Minute)
	if !t.Before(full) {
		return 1
	}
	return float64(t.Sub(incidentStart)) / float64(full.Sub(incidentStart))
}

type generator struct {
	sc  *Scenario
	rng *rand.Rand
	// the trace being built
	trace *sources.Trace
}

func (g *generator) intensity(t time.Time) float64 {
	return Intensity(g.sc.IncidentStart, g.sc.Now, t)
}

// lat draws a latency around median m (log-normal, sigma 0.35).
func (g *generator) lat(m time.Duration) time.Duration {
	d := time.Duration(float64(m) * math.Exp(0.35*g.rng.NormFloat64()))
	if d < 50*time.Microsecond {
		d = 50 * time.Microsecond
	}
	return d
}

func (g *generator) newTraceID() sources.TraceID {
	return sources.TraceID(fmt.Sprintf("%016x%016x", g.rng.Uint64()|1, g.rng.Uint64()))
}

func (g *generator) newSpanID() sources.SpanID {
	return sources.SpanID(fmt.Sprintf("%016x", g.rng.Uint64()|1))
}

func (g *generator) begin() {
	g.trace = &sources.Trace{ID: g.newTraceID()}
}

func (g *generator) end() *sources.Trace {
	t := g.trace
	g.sc.Traces = append(g.sc.Traces, t)
	g.trace = nil
	return t
}

// add appends a span to the trace being built and returns its index.
func (g *generator) add(parent int, service, op string, kind sources.SpanKind, start time.Time, d time.Duration, attrs ...sources.Attr) int {
	s := sources.Span{
		TraceID:   g.trace.ID,
		SpanID:    g.newSpanID(),
		Service:   service,
		Operation: op,
		Kind:      kind,
		Start:     start,
		Duration:  d,
		Attrs:     attrs,
		Resource:  resourceOf(service),
	}
	if parent >= 0 {
		s.ParentID = g.trace.Spans[parent].SpanID
	}
	g.trace.Spans = append(g.trace.Spans, s)
	return len(g.trace.Spans) - 1
}

func (g *generator) fail(i int, msg string) {
	s := &g.trace.Spans[i]
	s.Status = sources.Status{Code: sources.StatusError, Message: msg}
	s.Events = append(s.Events, sources.Event{
		Time: s.End().Add(-time.Microsecond),
		Name: "exception",
		Attrs: sources.Attrs{
			{Key: "exception.type", Value: "Error"},
			{Key: "exception.message", Value: msg},
		},
	})
}

func resourceOf(service string) sources.Attrs {
	return sources.Attrs{
		{Key: "service.name", Value: service},
		{Key: "service.namespace", Value: "shop"},
		{Key: "deployment.environment", Value: "demo"},
		{Key: "host.name", Value: service + "-7d4b9c-" + fmt.Sprintf("%x", len(service)*2654435761%0xfffff)},
	}
}

func str(k, v string) sources.Attr       { return sources.Attr{Key: k, Value: v} }
func num(k string, v int64) sources.Attr { return sources.Attr{Key: k, Value: v} }

// checkoutTrace: frontend POST /api/checkout -> checkout PlaceOrder ->
// redis, inventory (-> postgres), payments (-> postgres), shipping.
// With skew, the shipping span starts before its parent.
func (g *generator) checkoutTrace(start time.Time, skew bool) {
	g.begin()
	x := g.intensity(start)
	orderID := fmt.Sprintf("ord-%06d", g.rng.IntN(1000000))
	fe := g.add(-1, Frontend, "POST /api/checkout", sources.KindServer, start, 0,
		str("http.request.method", "POST"), str("url.path", "/api/checkout"), str("http.route", "/api/checkout"),
		str("user_agent.original", "Mozilla/5.0 (X11; Linux x86_64)"))
	t := start.Add(g.lat(800 * time.Microsecond))
	co := g.add(fe, Checkout, "PlaceOrder", sources.KindServer, t, 0,
		str("rpc.system", "grpc"), str("rpc.service", "shop.Checkout"), str("rpc.method", "PlaceOrder"), str("order.id", orderID))
	t = t.Add(g.lat(300 * time.Microsecond))

	// cache lookup of the cart
	d := g.lat(1200 * time.Microsecond)
	g.add(co, Redis, "GET", sources.KindServer, t, d, str("db.system", "redis"), str("db.operation", "GET"), str("db.statement", "GET cart:"+orderID))
	t = t.Add(d + g.lat(200*time.Microsecond))

	// reserve the items
	inv := g.add(co, Inventory, "ReserveItems", sources.KindServer, t, 0, str("rpc.system", "grpc"), num("items.count", int64(1+g.rng.IntN(5))))
	d = g.lat(4 * time.Millisecond)
	g.add(inv, Postgres, "UPDATE stock", sources.KindServer, t.Add(500*time.Microsecond), d,
		str("db.system", "postgresql"), str("db.operation", "UPDATE"), str("db.statement", "UPDATE stock SET reserved = reserved + $1 WHERE sku = $2"))
	g.trace.Spans[inv].Duration = d + g.lat(1500*time.Microsecond)
	g.log(inv, Inventory, "info", t.Add(d), "reserved items", "items", g.trace.Spans[inv].Attrs[1].Value)
	t = t.Add(g.trace.Spans[inv].Duration + g.lat(300*time.Microsecond))

	// charge: the incident lives here
	pay := g.add(co, Payments, "Charge", sources.KindServer, t, 0,
		str("rpc.system", "grpc"), str("payment.provider", "acme-bank"), str("order.id", orderID))
	dbWait := g.lat(time.Duration(float64(3*time.Millisecond) + x*float64(900*time.Millisecond)))
	db := g.add(pay, Postgres, "SELECT accounts", sources.KindServer, t.Add(400*time.Microsecond), dbWait,
		str("db.system", "postgresql"), str("db.operation", "SELECT"), str("db.statement", "SELECT balance FROM accounts WHERE id = $1 FOR UPDATE"))
	payDur := dbWait + g.lat(40*time.Millisecond)
	payFailed := g.rng.Float64() < 0.01+0.30*x && !skew
	if payFailed {
		payDur = dbWait + g.lat(2*time.Millisecond)
		g.fail(db, "canceling statement due to lock timeout")
		g.fail(pay, "charge failed: database lock timeout")
		g.log(pay, Payments, "error", t.Add(payDur), "charge failed: database lock timeout", "order_id", orderID, "provider", "acme-bank", "wait_ms", dbWait.Milliseconds())
		g.postgresLog(t.Add(dbWait), "error", "canceling statement due to lock timeout")
		if dbWait > 200*time.Millisecond {
			g.postgresLog(t.Add(dbWait), "warn", fmt.Sprintf("duration: %.3f ms  statement: %s", float64(dbWait.Microseconds())/1000, "SELECT balance FROM accounts WHERE id = $1 FOR UPDATE"))
		}
	} else {
		g.log(pay, Payments, "info", t.Add(payDur), "charge accepted", "order_id", orderID, "provider", "acme-bank")
		if dbWait > 500*time.Millisecond {
			g.log(pay, Payments, "warn", t.Add(dbWait), "slow account lookup", "order_id", orderID, "wait_ms", dbWait.Milliseconds())
		}
	}
	g.trace.Spans[pay].Duration = payDur
	t = t.Add(payDur + g.lat(200*time.Microsecond))

	if !payFailed {
		shipStart := t
		if skew {
			// the shipping host's clock runs 40ms behind
			shipStart = g.trace.Spans[co].Start.Add(-40 * time.Millisecond)
		}
		d = g.lat(6 * time.Millisecond)
		g.add(co, Shipping, "GetQuote", sources.KindServer, shipStart, d, str("rpc.system", "grpc"), str("shipping.zone", "eu-west"))
		t = t.Add(d)
	}

	g.trace.Spans[co].Duration = t.Add(g.lat(500 * time.Microsecond)).Sub(g.trace.Spans[co].Start)
	if payFailed {
		g.fail(co, "payment failed")
		g.log(co, Checkout, "error", g.trace.Spans[co].End(), "order failed: payment failed", "order_id", orderID)
	} else {
		g.log(co, Checkout, "info", g.trace.Spans[co].End(), "order placed", "order_id", orderID)
	}
	g.trace.Spans[fe].Duration = g.trace.Spans[co].End().Add(g.lat(700 * time.Microsecond)).Sub(start)
	status := int64(200)
	if payFailed {
		status = 502
		g.fail(fe, "upstream checkout failed")
	}
	g.trace.Spans[fe].Attrs = append(g.trace.Spans[fe].Attrs, num("http.response.status_code", status))
	g.accessLog(fe, status, "Mozilla/5.0 (X11; Linux x86_64)")
	tr := g.end()
	if skew {
		g.sc.SkewedTraceID = tr.ID
	}
}

// productsTrace: frontend GET /api/products -> inventory ListProducts ->
// redis GET, postgres SELECT.
func (g *generator) productsTrace(start time.Time) {
	g.begin()
	ua := "Mozilla/5.0 (X11; Linux x86_64)"
	if g.rng.IntN(40) == 0 {
		// a hostile client: escape sequences in a header value
		ua = "curl/8.5.0 \x1b[31mred\x1b[0m \x1b]0;pwned\x07"
	}
	fe := g.add(-1, Frontend, "GET /api/products", sources.KindServer, start, 0,
		str("http.request.method", "GET"), str("url.path", "/api/products"), str("http.route", "/api/products"), str("user_agent.original", ua))
	t := start.Add(g.lat(600 * time.Microsecond))
	inv := g.add(fe, Inventory, "ListProducts", sources.KindServer, t, 0, str("rpc.system", "grpc"))
	t = t.Add(g.lat(200 * time.Microsecond))
	d := g.lat(900 * time.Microsecond)
	g.add(inv, Redis, "GET", sources.KindServer, t, d, str("db.system", "redis"), str("db.operation", "GET"), str("db.statement", "GET products:page:1"))
	t = t.Add(d)
	if g.rng.IntN(3) == 0 { // cache miss
		d = g.lat(8 * time.Millisecond)
		g.add(inv, Postgres, "SELECT products", sources.KindServer, t, d,
			str("db.system", "postgresql"), str("db.operation", "SELECT"), str("db.statement", "SELECT sku, name, price FROM products LIMIT 50"))
		g.log(inv, Inventory, "debug", t, "product cache miss", "key", "products:page:1")
		t = t.Add(d)
	}
	g.trace.Spans[inv].Duration = t.Add(g.lat(400 * time.Microsecond)).Sub(g.trace.Spans[inv].Start)
	g.trace.Spans[fe].Duration = g.trace.Spans[inv].End().Add(g.lat(500 * time.Microsecond)).Sub(start)
	g.trace.Spans[fe].Attrs = append(g.trace.Spans[fe].Attrs, num("http.response.status_code", 200))
	g.accessLog(fe, 200, ua)
	g.end()
}

// cartTrace: frontend GET /api/cart -> checkout GetCart -> redis GET.
func (g *generator) cartTrace(start time.Time) {
	g.begin()
	fe := g.add(-1, Frontend, "GET /api/cart", sources.KindServer, start, 0,
		str("http.request.method", "GET"), str("url.path", "/api/cart"), str("http.route", "/api/cart"))
	t := start.Add(g.lat(500 * time.Microsecond))
	co := g.add(fe, Checkout, "GetCart", sources.KindServer, t, 0, str("rpc.system", "grpc"))
	d := g.lat(1 * time.Millisecond)
	g.add(co, Redis, "HGETALL", sources.KindServer, t.Add(150*time.Microsecond), d,
		str("db.system", "redis"), str("db.operation", "HGETALL"), str("db.statement", "HGETALL cart:session"))
	g.trace.Spans[co].Duration = d + g.lat(600*time.Microsecond)
	g.log(co, Checkout, "debug", t.Add(d), "cart loaded", "items", 1+hash(string(g.trace.Spans[co].SpanID))%5)
	g.trace.Spans[fe].Duration = g.trace.Spans[co].End().Add(g.lat(400 * time.Microsecond)).Sub(start)
	g.trace.Spans[fe].Attrs = append(g.trace.Spans[fe].Attrs, num("http.response.status_code", 200))
	g.accessLog(fe, 200, "Mozilla/5.0 (X11; Linux x86_64)")
	g.end()
}

// bigTrace: an order export of 2+10*batches spans, five levels deep:
// frontend -> checkout ExportOrders -> LoadOrderBatch -> {postgres,
// inventory GetItem -> redis, payments GetPaymentStatus -> postgres}.
// Four batches run at a time.
func (g *generator) bigTrace(start time.Time, batches int) {
	g.begin()
	fe := g.add(-1, Frontend, "POST /api/orders/export", sources.KindServer, start, 0,
		str("http.request.method", "POST"), str("url.path", "/api/orders/export"), str("http.route", "/api/orders/export"))
	exStart := start.Add(g.lat(time.Millisecond))
	ex := g.add(fe, Checkout, "ExportOrders", sources.KindServer, exStart, 0, str("rpc.system", "grpc"), num("export.batches", int64(batches)))
	g.log(ex, Checkout, "info", exStart, "export started", "batches", batches)
	lanes := [4]time.Time{exStart, exStart, exStart, exStart}
	x := g.intensity(start)
	failures := 0
	for b := 0; b < batches; b++ {
		lane := b % 4
		t := lanes[lane].Add(g.lat(100 * time.Microsecond))
		batch := g.add(ex, Checkout, "LoadOrderBatch", sources.KindInternal, t, 0, num("batch.index", int64(b)))
		d := g.lat(3 * time.Millisecond)
		g.add(batch, Postgres, "SELECT orders", sources.KindServer, t, d,
			str("db.system", "postgresql"), str("db.operation", "SELECT"), str("db.statement", "SELECT * FROM orders ORDER BY id LIMIT 100 OFFSET $1"))
		t = t.Add(d)
		for k := 0; k < 3; k++ {
			it := g.add(batch, Inventory, "GetItem", sources.KindServer, t, 0, str("rpc.system", "grpc"))
			d = g.lat(700 * time.Microsecond)
			g.add(it, Redis, "GET", sources.KindServer, t.Add(100*time.Microsecond), d, str("db.system", "redis"), str("db.operation", "GET"))
			g.trace.Spans[it].Duration = d + g.lat(300*time.Microsecond)
			t = g.trace.Spans[it].End()
		}
		ps := g.add(batch, Payments, "GetPaymentStatus", sources.KindServer, t, 0, str("rpc.system", "grpc"))
		d = g.lat(time.Duration(float64(2*time.Millisecond) + x*float64(60*time.Millisecond)))
		db := g.add(ps, Postgres, "SELECT payments", sources.KindServer, t.Add(200*time.Microsecond), d,
			str("db.system", "postgresql"), str("db.operation", "SELECT"), str("db.statement", "SELECT status FROM payments WHERE order_id = ANY($1)"))
		g.trace.Spans[ps].Duration = d + g.lat(500*time.Microsecond)
		if g.rng.Float64() < 0.05+0.10*x {
			failures++
			g.fail(db, "canceling statement due to lock timeout")
			g.fail(ps, "payment status unavailable")
			g.fail(batch, "batch incomplete")
			g.log(ps, Payments, "error", g.trace.Spans[ps].End(), "payment status unavailable: database lock timeout", "batch", b)
			g.postgresLog(g.trace.Spans[db].End(), "error", "canceling statement due to lock timeout")
		}
		t = g.trace.Spans[ps].End()
		g.trace.Spans[batch].Duration = t.Add(g.lat(100 * time.Microsecond)).Sub(g.trace.Spans[batch].Start)
		if g.trace.Spans[batch].Status.Code == sources.StatusError {
			g.log(batch, Checkout, "error", g.trace.Spans[batch].End(), "batch incomplete", "batch", b, "reason", "payment status unavailable")
		}
		lanes[lane] = g.trace.Spans[batch].End()
	}
	last := exStart
	for _, l := range lanes {
		if l.After(last) {
			last = l
		}
	}
	g.trace.Spans[ex].Duration = last.Add(g.lat(2 * time.Millisecond)).Sub(exStart)
	g.log(ex, Checkout, "warn", g.trace.Spans[ex].End(), "export finished with failed batches", "batches", batches, "failed", failures)
	g.trace.Spans[fe].Duration = g.trace.Spans[ex].End().Add(g.lat(time.Millisecond)).Sub(start)
	g.trace.Spans[fe].Attrs = append(g.trace.Spans[fe].Attrs, num("http.response.status_code", 200))
	g.accessLog(fe, 200, "Mozilla/5.0 (X11; Linux x86_64)")
	g.sc.BigTraceID = g.end().ID
}

// The demo's services write their lines as real services do, each in its
// own format: checkout logfmt, payments JSON, inventory zap's console
// format, the frontend nginx's combined access log and postgres its own
// prefix. The line's own time is the time the line is stored at.
var serviceFormats = map[string]string{
	Checkout: "logfmt", Payments: "json", Inventory: "console", Frontend: "access",
}

// The layouts of the lines' own times, by format (ReadDataset shifts them
// with the rest).
const (
	logfmtTime   = "2006-01-02T15:04:05.000000Z07:00"
	jsonTime     = "2006-01-02T15:04:05.000Z07:00"
	consoleTime  = "2006-01-02T15:04:05.000Z0700"
	accessTime   = "02/Jan/2006:15:04:05 -0700"
	postgresTime = "2006-01-02 15:04:05.000 MST"
)

var lineTimeLayouts = []string{logfmtTime, jsonTime, consoleTime, accessTime, postgresTime}

// callers are the source lines that log each message, as a logger's
// caller field names them.
func caller(service, msg string) string {
	n := 0
	for _, c := range msg {
		n = (n*31 + int(c)) % 180
	}
	return fmt.Sprintf("%s/%s.go:%d", service, strings.Fields(msg)[0], 20+n)
}

// log records a log line of the span at index i, in its service's format,
// with extra fields (key, value pairs). The logfmt, JSON and console lines
// print the trace and span IDs too; the access log does not. Every line
// carries the IDs as structured metadata.
func (g *generator) log(i int, service, level string, at time.Time, msg string, kv ...any) {
	s := &g.trace.Spans[i]
	at = at.UTC()
	var b strings.Builder
	switch serviceFormats[service] {
	case "logfmt":
		fmt.Fprintf(&b, "ts=%s level=%s caller=%s msg=%q", at.Format(logfmtTime), level, caller(service, msg), msg)
		for k := 0; k+1 < len(kv); k += 2 {
			v := fmt.Sprint(kv[k+1])
			if strings.ContainsAny(v, " \"=") {
				v = strconv.Quote(v)
			}
			fmt.Fprintf(&b, " %s=%s", kv[k], v)
		}
		fmt.Fprintf(&b, " trace_id=%s span_id=%s", s.TraceID, s.SpanID)
	case "json":
		fmt.Fprintf(&b, `{"time":%q,"level":%q,"msg":%q,"operation":%q`, at.Format(jsonTime), level, msg, s.Operation)
		for k := 0; k+1 < len(kv); k += 2 {
			fmt.Fprintf(&b, `,%q:%s`, kv[k], jsonValue(kv[k+1]))
		}
		fmt.Fprintf(&b, `,"trace_id":%q,"span_id":%q}`, s.TraceID, s.SpanID)
	case "console":
		fmt.Fprintf(&b, "%s\t%s\t%s\t%s\t{\"service\": %q", at.Format(consoleTime), strings.ToUpper(level), caller(service, msg), msg, service)
		for k := 0; k+1 < len(kv); k += 2 {
			fmt.Fprintf(&b, `, %q: %s`, kv[k], jsonValue(kv[k+1]))
		}
		fmt.Fprintf(&b, `, "trace_id": %q, "span_id": %q}`, s.TraceID, s.SpanID)
	default:
		b.WriteString(msg)
	}
	g.sc.Logs = append(g.sc.Logs, sources.LogEntry{
		Time:     at,
		Line:     b.String(),
		Labels:   streamLabels(service),
		Metadata: map[string]string{"trace_id": string(s.TraceID), "span_id": string(s.SpanID)},
		TraceID:  s.TraceID,
		SpanID:   s.SpanID,
		Level:    level,
	})
}

func hash(s string) int {
	h := fnv.New32a()
	h.Write([]byte(s))
	return int(h.Sum32() >> 1)
}

func jsonValue(v any) string {
	if s, ok := v.(string); ok {
		return strconv.Quote(s)
	}
	return fmt.Sprint(v)
}

// accessLog writes the frontend's access log line, nginx's combined
// format: IDs only in structured metadata.
func (g *generator) accessLog(i int, status int64, userAgent string) {
	s := &g.trace.Spans[i]
	level := "info"
	if status >= 500 {
		level = "error"
	}
	method, path, _ := strings.Cut(s.Operation, " ")
	// (from the span's ID, not the generator's random numbers, which
	// would change every trace after)
	h := hash(string(s.SpanID))
	client := fmt.Sprintf("10.0.%d.%d", 1+h%4, 2+h/4%250)
	bytes := 120 + h/1000%4000
	if status >= 500 {
		bytes = 173
	}
	at := s.End().UTC()
	line := fmt.Sprintf(`%s - - [%s] "%s %s HTTP/1.1" %d %d "-" %q`, client, at.Format(accessTime), method, path, status, bytes, userAgent)
	g.sc.Logs = append(g.sc.Logs, sources.LogEntry{
		Time:     at,
		Line:     line,
		Labels:   streamLabels(s.Service),
		Metadata: map[string]string{"trace_id": string(s.TraceID), "span_id": string(s.SpanID)},
		TraceID:  s.TraceID,
		SpanID:   s.SpanID,
		Level:    level,
	})
}

// postgresLog writes postgres' own line (its default prefix: time and
// process ID), which knows no trace.
func (g *generator) postgresLog(at time.Time, level, msg string) {
	at = at.UTC()
	word := map[string]string{"warn": "LOG", "error": "ERROR"}[level]
	g.sc.Logs = append(g.sc.Logs, sources.LogEntry{
		Time:   at,
		Line:   fmt.Sprintf("%s [%d] %s:  %s", at.Format(postgresTime), 4000+hash(msg+at.String())%900, word, msg),
		Labels: streamLabels(Postgres),
		Level:  level,
	})
}

// shiftLineTime rewrites the line's own time, written at old in one of
// the demo's layouts, as now.
func shiftLineTime(line string, old, now time.Time) string {
	old, now = old.UTC(), now.UTC()
	for _, layout := range lineTimeLayouts {
		if was := old.Format(layout); strings.Contains(line, was) {
			return strings.Replace(line, was, now.Format(layout), 1)
		}
	}
	return line
}

func streamLabels(service string) map[string]string {
	return map[string]string{"service_name": service, "namespace": "shop", "env": "demo"}
}
