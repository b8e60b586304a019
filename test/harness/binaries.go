package harness

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
)

// Binaries are the paths of the backend programs the harness runs.
type Binaries struct {
	Jaeger     string
	HotROD     string // Jaeger's HotROD demo application
	Loki       string
	LogCLI     string
	Prometheus string
	Promtool   string
	// Alertmanager and its amtool, from Debian's prometheus-alertmanager
	Alertmanager string
	Amtool       string
}

// CacheDir is where test/install-backends.sh puts the binaries it builds.
func CacheDir() string {
	if d := os.Getenv("TELX_BACKENDS_DIR"); d != "" {
		return d
	}
	if d := os.Getenv("XDG_CACHE_HOME"); d != "" {
		return filepath.Join(d, "telx", "backends")
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".cache", "telx", "backends")
}

// FindBinaries locates the pinned binaries of the named backends (Jaeger,
// Prometheus and Loki when none are named; HotROD and Alertmanager only when
// named): Jaeger, HotROD and Loki in the cache under the versions
// test/backends/*/go.mod pin, Prometheus and promtool, Alertmanager
// (prometheus-alertmanager) and amtool on PATH.
func FindBinaries(backends ...string) (Binaries, error) {
	want := func(name string) bool {
		return slices.Contains(backends, name) || len(backends) == 0 && name != hotrod
	}
	var b Binaries
	var missing []string
	jv, err := pinnedVersion("jaeger", "github.com/jaegertracing/jaeger")
	if err != nil {
		return b, err
	}
	lv, err := pinnedVersion("loki", "github.com/grafana/loki/v3")
	if err != nil {
		return b, err
	}
	cached := func(dir, version, name string) string {
		p := filepath.Join(CacheDir(), dir+"-"+version, name)
		if _, err := os.Stat(p); err != nil {
			missing = append(missing, p)
		}
		return p
	}
	onPath := func(name string) string {
		p, err := exec.LookPath(name)
		if err != nil {
			missing = append(missing, name+" (on PATH)")
		}
		return p
	}
	if want(Jaeger) {
		b.Jaeger = cached("jaeger", jv, "jaeger")
	}
	if want(hotrod) {
		b.HotROD = cached("jaeger", jv, "hotrod")
	}
	if want(Loki) {
		b.Loki = cached("loki", lv, "loki")
		b.LogCLI = cached("loki", lv, "logcli")
	}
	if want(Prometheus) {
		b.Prometheus = onPath("prometheus")
		b.Promtool = onPath("promtool")
	}
	if slices.Contains(backends, Alertmanager) {
		b.Alertmanager = onPath("prometheus-alertmanager")
		b.Amtool = onPath("amtool")
	}
	if len(missing) > 0 {
		return b, fmt.Errorf("%w: missing %s", errMissing, strings.Join(missing, ", "))
	}
	return b, nil
}

// pinnedVersion reads the version test/backends/<dir>/go.mod requires of
// module.
func pinnedVersion(dir, module string) (string, error) {
	_, file, _, _ := runtime.Caller(0)
	path := filepath.Join(filepath.Dir(file), "..", "backends", dir, "go.mod")
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("reading the pinned %s version: %w", dir, err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(strings.TrimPrefix(strings.TrimSpace(sc.Text()), "require"))
		if len(fields) >= 2 && fields[0] == module {
			return fields[1], nil
		}
	}
	return "", fmt.Errorf("%s does not require %s", path, module)
}
