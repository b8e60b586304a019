// Package demo generates telx's demo incident: one hour of traces, logs and
// span metrics for a small shop in which the payments service slows down
// and starts failing. The same scenario seeds the real backends in telx's
// tests and backs `telx demo`.
package demo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
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
	g.log(inv, Inventory, "info", "logfmt", t.Add(d), "reserved items")
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
		g.log(pay, Payments, "error", "json", t.Add(payDur), "charge failed: database lock timeout")
		if dbWait > 200*time.Millisecond {
			g.postgresSlowLog(t.Add(dbWait), dbWait, "SELECT balance FROM accounts WHERE id = $1 FOR UPDATE")
		}
	} else {
		g.log(pay, Payments, "info", "json", t.Add(payDur), "charge accepted")
		if dbWait > 500*time.Millisecond {
			g.log(pay, Payments, "warn", "json", t.Add(dbWait), fmt.Sprintf("slow account lookup took %dms", dbWait.Milliseconds()))
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
		g.log(co, Checkout, "error", "logfmt", g.trace.Spans[co].End(), "order failed: payment failed")
	} else {
		g.log(co, Checkout, "info", "logfmt", g.trace.Spans[co].End(), "order placed")
	}
	g.trace.Spans[fe].Duration = g.trace.Spans[co].End().Add(g.lat(700 * time.Microsecond)).Sub(start)
	status := int64(200)
	if payFailed {
		status = 502
		g.fail(fe, "upstream checkout failed")
	}
	g.trace.Spans[fe].Attrs = append(g.trace.Spans[fe].Attrs, num("http.response.status_code", status))
	g.accessLog(fe, status)
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
		g.log(inv, Inventory, "debug", "logfmt", t, "product cache miss")
		t = t.Add(d)
	}
	g.trace.Spans[inv].Duration = t.Add(g.lat(400 * time.Microsecond)).Sub(g.trace.Spans[inv].Start)
	g.trace.Spans[fe].Duration = g.trace.Spans[inv].End().Add(g.lat(500 * time.Microsecond)).Sub(start)
	g.trace.Spans[fe].Attrs = append(g.trace.Spans[fe].Attrs, num("http.response.status_code", 200))
	g.accessLog(fe, 200)
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
	g.log(co, Checkout, "debug", "logfmt", t.Add(d), "cart loaded")
	g.trace.Spans[fe].Duration = g.trace.Spans[co].End().Add(g.lat(400 * time.Microsecond)).Sub(start)
	g.trace.Spans[fe].Attrs = append(g.trace.Spans[fe].Attrs, num("http.response.status_code", 200))
	g.accessLog(fe, 200)
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
	g.log(ex, Checkout, "info", "logfmt", exStart, fmt.Sprintf("export started batches=%d", batches))
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
			g.log(ps, Payments, "error", "json", g.trace.Spans[ps].End(), "payment status unavailable: database lock timeout")
		}
		t = g.trace.Spans[ps].End()
		g.trace.Spans[batch].Duration = t.Add(g.lat(100 * time.Microsecond)).Sub(g.trace.Spans[batch].Start)
		lanes[lane] = g.trace.Spans[batch].End()
	}
	last := exStart
	for _, l := range lanes {
		if l.After(last) {
			last = l
		}
	}
	g.trace.Spans[ex].Duration = last.Add(g.lat(2 * time.Millisecond)).Sub(exStart)
	g.log(ex, Checkout, "warn", "logfmt", g.trace.Spans[ex].End(), fmt.Sprintf("export finished with %d failed batches", failures))
	g.trace.Spans[fe].Duration = g.trace.Spans[ex].End().Add(g.lat(time.Millisecond)).Sub(start)
	g.trace.Spans[fe].Attrs = append(g.trace.Spans[fe].Attrs, num("http.response.status_code", 200))
	g.accessLog(fe, 200)
	g.sc.BigTraceID = g.end().ID
}

// log records a log line of the span at index i. Formats: "logfmt" and
// "json" print the trace and span IDs inside the line too; "text" does not.
// Every line carries the IDs as structured metadata.
func (g *generator) log(i int, service, level, format string, at time.Time, msg string) {
	s := &g.trace.Spans[i]
	var line string
	switch format {
	case "logfmt":
		line = fmt.Sprintf("level=%s msg=%q trace_id=%s span_id=%s", level, msg, s.TraceID, s.SpanID)
	case "json":
		line = fmt.Sprintf(`{"level":%q,"msg":%q,"trace_id":%q,"span_id":%q,"operation":%q}`, level, msg, s.TraceID, s.SpanID, s.Operation)
	default:
		line = msg
	}
	g.sc.Logs = append(g.sc.Logs, sources.LogEntry{
		Time:     at,
		Line:     line,
		Labels:   streamLabels(service),
		Metadata: map[string]string{"trace_id": string(s.TraceID), "span_id": string(s.SpanID)},
		TraceID:  s.TraceID,
		SpanID:   s.SpanID,
		Level:    level,
	})
}

// accessLog writes the frontend's access log line: plain text, IDs only in
// structured metadata.
func (g *generator) accessLog(i int, status int64) {
	s := &g.trace.Spans[i]
	level := "info"
	if status >= 500 {
		level = "error"
	}
	g.log(i, s.Service, level, "text", s.End(),
		fmt.Sprintf("%s %d %.1fms", s.Operation, status, float64(s.Duration.Microseconds())/1000))
}

// postgresSlowLog writes postgres' own slow-statement line, which knows no
// trace.
func (g *generator) postgresSlowLog(at time.Time, d time.Duration, stmt string) {
	g.sc.Logs = append(g.sc.Logs, sources.LogEntry{
		Time:   at,
		Line:   fmt.Sprintf("LOG:  duration: %.3f ms  statement: %s", float64(d.Microseconds())/1000, stmt),
		Labels: streamLabels(Postgres),
		Level:  "warn",
	})
}

func streamLabels(service string) map[string]string {
	return map[string]string{"service_name": service, "namespace": "shop", "env": "demo"}
}
