// Package harness runs the real backends telx is tested against (Jaeger,
// Prometheus, Loki and Alertmanager) on free loopback ports, each with its own temporary
// data directory and config, and seeds them with the demo scenario.
//
// Binaries come from test/install-backends.sh (`make backends`). Processes
// are stopped by Env.Stop, and die with the test binary otherwise.
package harness

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/demo"
)

// Backend names.
const (
	Jaeger     = "jaeger"
	Prometheus = "prometheus"
	Loki       = "loki"
)

// hotrod names Jaeger's HotROD demo application (Options.HotROD) for
// FindBinaries, and its Timings.
const hotrod = "hotrod"

// Options say what to start.
type Options struct {
	// Backends to start; all three when empty.
	Backends []string
	// Seed of the scenario; Start seeds every backend it starts with it.
	Seed int64
	// Scenario options.
	Scenario demo.Options
	// ReadyTimeout overrides each backend's time to become ready.
	ReadyTimeout time.Duration
	// Dir is the parent of the temporary directory (default os.TempDir).
	Dir string
	// Secure, when set, puts Jaeger's query servers behind TLS and
	// Prometheus behind TLS and basic auth (the URLs are then https), and
	// may make Loki multi-tenant.
	Secure *Secure
	// HotROD, when set, also runs Jaeger's HotROD demo application with a
	// Jaeger of its own, sends it HotRODRequests /dispatch requests (12
	// when 0) and ships its log lines to Loki (see the HotROD type). It
	// needs Loki; it runs while the backends start and are seeded.
	HotROD         bool
	HotRODRequests int
	// BackendLogs, when set, ships the lines the backends (Jaeger, Loki,
	// Prometheus) have written to their logs by the end of Start to Loki,
	// labelled job="backends" and service_name=jaeger, loki or prometheus:
	// a snapshot, not a live feed. It needs Loki.
	BackendLogs bool
	// LokiPatternsOff starts Loki without its pattern ingester, as Loki
	// runs by default.
	LokiPatternsOff bool
	// Alertmanager, when set (or when Backends names it), also starts an
	// Alertmanager (AlertmanagerConfig) that Prometheus sends its alerts
	// to; Start returns once it holds the alerts Prometheus fires. It needs
	// Prometheus.
	Alertmanager bool
}

// Env is a set of running, seeded backends.
type Env struct {
	// URLs of the query APIs, empty for a backend not started.
	JaegerURL     string // http://127.0.0.1:port (/api, /api/v3)
	JaegerGRPC    string // 127.0.0.1:port (api_v2 gRPC)
	JaegerOTLP    string // http://127.0.0.1:port/v1/traces
	PrometheusURL string
	LokiURL       string
	// AlertmanagerURL is http://127.0.0.1:port, with Options.Alertmanager.
	AlertmanagerURL string
	// Amtool is the path of Alertmanager's amtool, with Options.Alertmanager.
	Amtool string
	// Scenario is what the backends were seeded with.
	Scenario *demo.Scenario
	// Dir holds the configs, data and logs of this run.
	Dir string

	// Timings says how long each backend took to start and be seeded
	// (keyed by backend name; "hotrod": HotROD's run, from the start of
	// its Jaeger to its lines in Loki, which waits for Loki;
	// "hotrod-traces": the part until its Jaeger holds its traces;
	// "backend-logs": shipping the backends' logs, after all the rest;
	// "alertmanager-alerts": the wait until Alertmanager holds the alerts
	// Prometheus fires, after Prometheus is ready).
	Timings map[string]time.Duration

	// HotROD is the run of Options.HotROD, nil without it.
	HotROD *HotROD
	// BackendLogs are the lines of Options.BackendLogs, as shipped (Time,
	// Line, Labels), in the order each backend wrote them.
	BackendLogs []sources.LogEntry

	client      *http.Client // for the query APIs (Options.Secure's CA and user)
	loki        *process     // for RestartLoki
	lokiRestart func(ctx context.Context) (*process, error)

	mu       sync.Mutex
	procs    []*process
	cleanups []func()
}

// Start starts and seeds the backends. On error, whatever it started is
// stopped again.
func Start(ctx context.Context, opts Options) (env *Env, err error) {
	if len(opts.Backends) == 0 {
		opts.Backends = []string{Jaeger, Prometheus, Loki}
	}
	want := map[string]bool{}
	for _, b := range opts.Backends {
		want[b] = true
	}
	if (opts.HotROD || opts.BackendLogs) && !want[Loki] {
		return nil, errors.New("harness: Options.HotROD and BackendLogs need Loki among the backends")
	}
	if opts.Alertmanager {
		want[Alertmanager] = true
	}
	if want[Alertmanager] && !want[Prometheus] {
		return nil, errors.New("harness: Alertmanager needs Prometheus among the backends")
	}
	names := opts.Backends
	if want[Alertmanager] && !slices.Contains(names, Alertmanager) {
		names = append(slices.Clone(names), Alertmanager)
	}
	if opts.HotROD {
		names = append(slices.Clone(names), Jaeger, hotrod)
		want[hotrod] = true
	}
	bins, err := FindBinaries(names...)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(opts.Dir, "telx-harness-")
	if err != nil {
		return nil, err
	}
	env = &Env{Dir: dir, Scenario: demo.Generate(opts.Seed, time.Now(), opts.Scenario), Timings: map[string]time.Duration{}}
	if env.client, err = opts.Secure.client(); err != nil {
		return nil, err
	}
	started := env
	defer func() {
		if err != nil {
			started.Stop()
			env = nil
		}
	}()
	timeout := func(d time.Duration) time.Duration {
		if opts.ReadyTimeout > 0 {
			return opts.ReadyTimeout
		}
		return d
	}

	// Start the three (and HotROD) at once: Loki takes the longest to
	// become ready.
	var wg sync.WaitGroup
	errs := make(chan error, 5)
	// Alertmanager's port is chosen first: Prometheus' config names it.
	amAddr, amPort := "", 0
	if want[Alertmanager] {
		ports, err := freePorts(1)
		if err != nil {
			return nil, err
		}
		amPort = ports[0]
		amAddr = fmt.Sprintf("127.0.0.1:%d", amPort)
		env.AlertmanagerURL, env.Amtool = "http://"+amAddr, bins.Amtool
	}
	// So are the ports of the Jaegers' span metrics, which it scrapes.
	var jaegerMetrics, hotrodMetrics int
	var scrapes []string
	if want[Prometheus] {
		ports, err := freePorts(2)
		if err != nil {
			return nil, err
		}
		if want[Jaeger] {
			jaegerMetrics = ports[0]
			scrapes = append(scrapes, fmt.Sprintf("127.0.0.1:%d", ports[0]))
		}
		if want[hotrod] {
			hotrodMetrics = ports[1]
			scrapes = append(scrapes, fmt.Sprintf("127.0.0.1:%d", ports[1]))
		}
	}
	lokiReady := make(chan struct{}) // closed once the Loki run ends
	// closed once the Prometheus run ends; nil without Prometheus. The
	// span-metrics connectors keep a span's exemplar from one flush to the
	// next only (10s), so spans are sent to the Jaegers once Prometheus is
	// ready (last, after its backfill): it scrapes them within about 6s
	// (it applies new targets every 5s), before the exemplars go.
	var promReady chan struct{}
	if want[Prometheus] {
		promReady = make(chan struct{})
	}
	run := func(name string, f func() error) {
		if !want[name] {
			return
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			start := time.Now()
			if err := f(); err != nil {
				errs <- err
			}
			env.mu.Lock()
			env.Timings[name] = time.Since(start).Round(time.Millisecond)
			env.mu.Unlock()
		}()
	}
	run(Jaeger, func() error {
		p, a, err := startJaeger(ctx, Jaeger, bins.Jaeger, dir, timeout(jaegerReadyTimeout), opts.Secure, jaegerMetrics)
		if err != nil {
			return err
		}
		env.track(p)
		env.JaegerURL = fmt.Sprintf("%s://127.0.0.1:%d", opts.Secure.scheme(), a.HTTP)
		env.JaegerGRPC = fmt.Sprintf("127.0.0.1:%d", a.GRPC)
		env.JaegerOTLP = fmt.Sprintf("http://127.0.0.1:%d/v1/traces", a.OTLP)
		if err := waitClosed(ctx, promReady); err != nil {
			return err
		}
		if err := pushTraces(ctx, env.JaegerOTLP, env.Scenario.Traces); err != nil {
			return fmt.Errorf("seeding jaeger: %w", err)
		}
		return env.waitJaegerSeeded(ctx)
	})
	run(Loki, func() error {
		defer close(lokiReady)
		p, port, err := startLoki(ctx, bins.Loki, dir, timeout(lokiReadyTimeout), opts.Secure.lokiTenant() != "", opts.LokiPatternsOff)
		if err != nil {
			return err
		}
		env.track(p)
		env.setLoki(p, bins.Loki, timeout(lokiReadyTimeout))
		env.LokiURL = fmt.Sprintf("http://127.0.0.1:%d", port)
		if err := pushLogs(ctx, env.LokiURL+"/loki/api/v1/push", opts.Secure.lokiTenant(), env.Scenario.Logs); err != nil {
			return fmt.Errorf("seeding loki: %w", err)
		}
		return nil
	})
	run(Prometheus, func() error {
		defer close(promReady)
		data := filepath.Join(dir, "prometheus")
		m := env.Scenario.Metrics
		if err := backfill(ctx, bins.Promtool, dir, data, m, env.Scenario.Now); err != nil {
			return fmt.Errorf("seeding prometheus: %w", err)
		}
		target, stop, err := serveMetrics(m)
		if err != nil {
			return err
		}
		env.onStop(stop)
		p, port, err := startPrometheus(ctx, bins.Prometheus, dir, data, target, scrapes, AlertRules, amAddr, timeout(prometheusReadyTimeout), opts.Secure)
		if err != nil {
			return err
		}
		env.track(p)
		env.PrometheusURL = fmt.Sprintf("%s://127.0.0.1:%d", opts.Secure.scheme(), port)
		return nil
	})
	run(Alertmanager, func() error {
		p, err := startAlertmanager(ctx, bins.Alertmanager, dir, amPort, timeout(alertmanagerReadyTimeout))
		if err != nil {
			return err
		}
		env.track(p)
		return nil
	})
	run(hotrod, func() error {
		h, err := env.runHotROD(ctx, bins, opts.HotRODRequests, hotrodMetrics, timeout(jaegerReadyTimeout), promReady, lokiReady, opts.Secure.lokiTenant())
		env.HotROD = h
		return err
	})
	wg.Wait()
	close(errs)
	var all []error
	for e := range errs {
		all = append(all, e)
	}
	if err := errors.Join(all...); err != nil {
		return nil, err
	}
	if want[Alertmanager] {
		start := time.Now()
		if err := env.waitAlertmanagerSeeded(ctx, timeout(alertmanagerReadyTimeout)); err != nil {
			return nil, err
		}
		env.Timings["alertmanager-alerts"] = time.Since(start).Round(time.Millisecond)
	}
	if opts.BackendLogs {
		start := time.Now()
		if env.BackendLogs, err = env.shipBackendLogs(ctx, opts.Secure.lokiTenant()); err != nil {
			return nil, err
		}
		env.Timings["backend-logs"] = time.Since(start).Round(time.Millisecond)
	}
	return env, nil
}

// waitClosed waits until c is closed (at once for a nil c) or ctx ends.
func waitClosed(ctx context.Context, c <-chan struct{}) error {
	if c == nil {
		return nil
	}
	select {
	case <-c:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (e *Env) track(p *process) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.procs = append(e.procs, p)
}

func (e *Env) onStop(f func()) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.cleanups = append(e.cleanups, f)
}

// Stop stops every backend and removes the run's directory, unless
// TELX_HARNESS_KEEP is set (to read the backends' logs).
func (e *Env) Stop() {
	e.mu.Lock()
	procs, cleanups := e.procs, e.cleanups
	e.procs, e.cleanups = nil, nil
	e.mu.Unlock()
	var wg sync.WaitGroup
	for _, p := range procs {
		wg.Add(1)
		go func() { defer wg.Done(); p.Stop() }()
	}
	wg.Wait()
	for _, f := range cleanups {
		f()
	}
	if os.Getenv("TELX_HARNESS_KEEP") == "" {
		_ = os.RemoveAll(e.Dir)
	}
}

// waitJaegerSeeded waits until Jaeger returns every span of the big trace
// and knows every service.
func (e *Env) waitJaegerSeeded(ctx context.Context) error {
	want := 0
	for _, t := range e.Scenario.Traces {
		if t.ID == e.Scenario.BigTraceID {
			want = len(t.Spans)
		}
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		n, err := countSpans(ctx, e.client, e.JaegerURL+"/api/traces/"+string(e.Scenario.BigTraceID))
		if err == nil && n == want {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("jaeger: the big trace has %d of %d spans 30s after seeding (%v)", n, want, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func countSpans(ctx context.Context, client *http.Client, u string) (int, error) {
	var body struct {
		Data []struct {
			Spans []struct{} `json:"spans"`
		} `json:"data"`
	}
	if err := getJSON(ctx, client, u, &body); err != nil {
		return 0, err
	}
	if len(body.Data) == 0 {
		return 0, nil
	}
	return len(body.Data[0].Spans), nil
}

// Required tells whether tests that need backends must fail rather than
// skip when the backends cannot be had: under CI (CI=true) they must.
func Required() bool {
	v, _ := strconv.ParseBool(os.Getenv("CI"))
	return v
}

// Main starts the backends for a test package, runs its tests and stops
// the backends; use it from TestMain. When the binaries are missing, tests
// calling Shared skip, or fail under CI. TELX_HARNESS_BACKENDS (a comma
// list) narrows which backends start, for work on one of them.
func Main(m *testing.M, opts Options) int {
	if v := os.Getenv("TELX_HARNESS_BACKENDS"); v != "" && len(opts.Backends) == 0 {
		opts.Backends = strings.Split(v, ",")
		if !slices.Contains(opts.Backends, Loki) {
			opts.HotROD, opts.BackendLogs = false, false
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	env, err := Start(ctx, opts)
	cancel()
	shared, sharedErr = env, err
	if err != nil {
		fmt.Fprintf(os.Stderr, "harness: %v\n", err)
	} else {
		fmt.Fprintf(os.Stderr, "harness: started and seeded %v\n", env.Timings)
		defer env.Stop()
	}
	return m.Run()
}

var (
	shared    *Env
	sharedErr error
)

// Shared returns the backends Main started, or ends the test: a skip when
// the binaries are not installed outside CI, a failure otherwise.
func Shared(t testing.TB) *Env {
	t.Helper()
	if shared != nil {
		return shared
	}
	if sharedErr == nil {
		sharedErr = errors.New("harness.Main was not called from TestMain")
	}
	if errors.Is(sharedErr, errMissing) && !Required() {
		t.Skipf("skipping: %v", sharedErr)
	}
	t.Fatalf("backends unavailable: %v", sharedErr)
	return nil
}

// Query builds a URL from base, a path and query parameters.
func Query(base, path string, params ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(params); i += 2 {
		v.Add(params[i], params[i+1])
	}
	u := strings.TrimRight(base, "/") + path
	if len(v) > 0 {
		u += "?" + v.Encode()
	}
	return u
}

// GetJSON GETs u and decodes a 200 answer's JSON body into v.
func GetJSON(ctx context.Context, u string, v any) error {
	return getJSON(ctx, http.DefaultClient, u, v)
}

func getJSON(ctx context.Context, client *http.Client, u string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	return decodeJSON(resp.Body, v)
}

// StartT starts backends for one test and stops them when it ends: a
// skip when the binaries are not installed outside CI, a failure otherwise.
// Use it for backends set up unlike the shared ones (Options.Secure).
func StartT(t testing.TB, opts Options) *Env {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	env, err := Start(ctx, opts)
	if err != nil {
		if errors.Is(err, errMissing) && !Required() {
			t.Skipf("skipping: %v", err)
		}
		t.Fatalf("backends unavailable: %v", err)
	}
	t.Cleanup(env.Stop)
	return env
}
