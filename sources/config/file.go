package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"text/template"
	"time"

	"go.yaml.in/yaml/v3"
)

// File is telx's config file: named contexts, as kubectl has, each saying
// where the backends are and how to reach them.
type File struct {
	CurrentContext string              `yaml:"current_context,omitempty"`
	Contexts       map[string]*Context `yaml:"contexts,omitempty"`

	// Path is where the file was read from (or is to be written).
	Path string `yaml:"-"`
	// Mode is the file's permission bits when it was read (0 when it
	// does not exist).
	Mode fs.FileMode `yaml:"-"`
}

// Context is one environment: its backends and its display settings.
type Context struct {
	Jaeger       *Backend `yaml:"jaeger,omitempty"`
	Prometheus   *Backend `yaml:"prometheus,omitempty"`
	Loki         *Backend `yaml:"loki,omitempty"`
	Alertmanager *Backend `yaml:"alertmanager,omitempty"`
	// Author is the name telx signs the silences it creates with (the
	// user's login name when empty).
	Author string `yaml:"author,omitempty"`
	// AlertServiceLabels are the labels that name an alert's service, the
	// first found wins (default service_name, service, job).
	AlertServiceLabels []string `yaml:"alert_service_labels,omitempty"`

	// TraceToLogs is the LogQL template of the logs of a trace: the
	// default of telx logs --trace-query ({{.Selector}}, {{.TraceID}},
	// {{.ServiceLabel}}).
	TraceToLogs string `yaml:"trace_to_logs,omitempty"`
	// TraceIDPatterns are regular expressions finding a trace ID in a log
	// line, the first group being the ID.
	TraceIDPatterns []string `yaml:"trace_id_patterns,omitempty"`
	// RED are the queries of `telx metrics --service`.
	RED *RED `yaml:"red,omitempty"`
	// TimeZone is an IANA zone name ("UTC", "Europe/Paris") or "Local".
	TimeZone string `yaml:"timezone,omitempty"`
	// Theme is auto, dark, light or none.
	Theme string `yaml:"theme,omitempty"`
	// Refresh is the explorer's live refresh interval (telx explore
	// --refresh), at least a second.
	Refresh time.Duration `yaml:"refresh,omitempty"`
	// CompletionTimeout is how long shell completion waits for a
	// backend's answer (default 1s; TELX_COMPLETION_TIMEOUT overrides it).
	CompletionTimeout time.Duration `yaml:"completion_timeout,omitempty"`
	// Limits cap the size of the backends' answers (--max-answer sets
	// them all).
	Limits *Limits `yaml:"limits,omitempty"`
}

// AnswerLimits are the context's caps on answers (the defaults where it
// sets none).
func (c *Context) AnswerLimits() Limits {
	if c == nil || c.Limits == nil {
		return Limits{}
	}
	return *c.Limits
}

// RED are the templates of a service's rate, errors and duration queries.
type RED struct {
	Preset       string `yaml:"preset,omitempty"`
	RateQuery    string `yaml:"rate_query,omitempty"`
	ErrorQuery   string `yaml:"error_query,omitempty"`
	LatencyQuery string `yaml:"latency_query,omitempty"`
}

// Backend is how to reach one backend.
type Backend struct {
	URL string `yaml:"url,omitempty"`
	// WebURL is the backend's web UI, for links to what telx shows.
	WebURL string `yaml:"web_url,omitempty"`
	// Protocol is Jaeger's API (http, v3, v1, grpc, grpc-v2).
	Protocol string `yaml:"protocol,omitempty"`

	Username string `yaml:"username,omitempty"`
	Password string `yaml:"password,omitempty"`
	// A bearer token: inline, from an environment variable, a file, or the
	// output of a command (argv, no shell).
	Token        string   `yaml:"token,omitempty"`
	TokenEnv     string   `yaml:"token_env,omitempty"`
	TokenFile    string   `yaml:"token_file,omitempty"`
	TokenCommand []string `yaml:"token_command,omitempty"`

	Headers map[string]string `yaml:"headers,omitempty"`
	// Tenant is sent as X-Scope-OrgID (Loki, Mimir, Cortex).
	Tenant string `yaml:"tenant,omitempty"`

	TLS      *TLS          `yaml:"tls,omitempty"`
	ProxyURL string        `yaml:"proxy_url,omitempty"`
	Timeout  time.Duration `yaml:"timeout,omitempty"`
}

// TLS is how a backend's certificate is checked and which client
// certificate telx shows.
type TLS struct {
	CAFile             string `yaml:"ca_file,omitempty"`
	CertFile           string `yaml:"cert_file,omitempty"`
	KeyFile            string `yaml:"key_file,omitempty"`
	ServerName         string `yaml:"server_name,omitempty"`
	InsecureSkipVerify bool   `yaml:"insecure_skip_verify,omitempty"`
}

// BackendNames are the backends a context configures, in order.
var BackendNames = []string{"jaeger", "prometheus", "loki", "alertmanager"}

// Backend returns the context's settings of backend name, nil when none.
func (c *Context) Backend(name string) *Backend {
	if c == nil {
		return nil
	}
	switch name {
	case "jaeger":
		return c.Jaeger
	case "prometheus":
		return c.Prometheus
	case "loki":
		return c.Loki
	case "alertmanager":
		return c.Alertmanager
	}
	return nil
}

// SetBackend sets the context's settings of backend name.
func (c *Context) SetBackend(name string, b *Backend) {
	switch name {
	case "jaeger":
		c.Jaeger = b
	case "prometheus":
		c.Prometheus = b
	case "loki":
		c.Loki = b
	case "alertmanager":
		c.Alertmanager = b
	}
}

// Auth returns the backend's credentials, headers and TLS settings as an
// Auth. The token's sources are kept for Auth.Resolve to read.
func (b *Backend) Auth() Auth {
	if b == nil {
		return Auth{}
	}
	a := Auth{
		BearerToken: b.Token, TokenEnv: b.TokenEnv, TokenFile: b.TokenFile, TokenCommand: b.TokenCommand,
		Username: b.Username, Password: b.Password, ProxyURL: b.ProxyURL,
	}
	if len(b.Headers) > 0 || b.Tenant != "" {
		a.Headers = map[string]string{}
		for k, v := range b.Headers {
			a.Headers[k] = v
		}
		if b.Tenant != "" {
			a.Headers["X-Scope-OrgID"] = b.Tenant
		}
	}
	if b.TLS != nil {
		a.CAFile, a.CertFile, a.KeyFile = b.TLS.CAFile, b.TLS.CertFile, b.TLS.KeyFile
		a.ServerName, a.InsecureSkipVerify = b.TLS.ServerName, b.TLS.InsecureSkipVerify
	}
	return a
}

// Location returns the context's time zone, nil when it sets none.
func (c *Context) Location() *time.Location {
	if c == nil || c.TimeZone == "" {
		return nil
	}
	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil {
		return nil // Load validated it
	}
	return loc
}

// TraceIDRegexps compiles TraceIDPatterns (validated by Load).
func (c *Context) TraceIDRegexps() []*regexp.Regexp {
	if c == nil {
		return nil
	}
	var out []*regexp.Regexp
	for _, p := range c.TraceIDPatterns {
		if re, err := regexp.Compile(p); err == nil {
			out = append(out, re)
		}
	}
	return out
}

// DefaultPath is where the config file is looked for: $TELX_CONFIG, else
// $XDG_CONFIG_HOME/telx/config.yaml, else ~/.config/telx/config.yaml; ""
// when none of these variables is set.
func DefaultPath(getenv func(string) string) string {
	if p := getenv("TELX_CONFIG"); p != "" {
		return p
	}
	if d := getenv("XDG_CONFIG_HOME"); d != "" {
		return filepath.Join(d, "telx", "config.yaml")
	}
	if h := getenv("HOME"); h != "" {
		return filepath.Join(h, ".config", "telx", "config.yaml")
	}
	return ""
}

// Load reads and checks the config file at path. A file that does not
// exist is an empty config. Errors name the file, the line and the key.
func Load(path string) (*File, error) {
	f := &File{Path: path}
	if path == "" {
		return f, nil
	}
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return f, nil
	}
	if err != nil {
		return nil, fmt.Errorf("config file %s: %w", path, err)
	}
	if st.Mode().IsRegular() && st.Size() > MaxFileSize {
		return nil, tooLarge(path)
	}
	r, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("config file %s: %w", path, err)
	}
	defer r.Close()
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1)) // a FIFO, a file that grows
	if err != nil {
		return nil, fmt.Errorf("config file %s: %w", path, err)
	}
	f, err = Parse(path, data)
	if err != nil {
		return nil, err
	}
	f.Mode = st.Mode().Perm()
	return f, nil
}

// MaxFileSize is the largest config file telx reads: one of a few
// hundred contexts is tens of kilobytes.
const MaxFileSize = 1 << 20

// maxKeys is the most keys telx reads in one mapping of the file (the
// contexts, a backend's headers): yaml.v3 looks for duplicate keys in
// time quadratic in their number, minutes for a mapping of a million.
const maxKeys = 1000

func tooLarge(path string) error {
	return fmt.Errorf("config file %s: larger than %s, the most telx reads from a config file (is it the right file?)", path, ByteSize(MaxFileSize))
}

// maxKeyWork bounds yaml.v3's work looking for duplicate keys: the sum
// over the file's mappings of the square of their number of keys. A
// file of 1,000 contexts is within it; the worst file within it is read
// in tens of milliseconds.
const maxKeyWork = 4 * maxKeys * maxKeys

// checkMappings refuses a mapping of more than maxKeys keys (and files
// of so many large mappings that yaml.v3 would take long, maxKeyWork),
// and a key given twice in a mapping, in time linear in the file's size,
// before yaml.v3's decoder looks for duplicates in quadratic time.
func checkMappings(path string, root *yaml.Node) error {
	type item struct {
		n    *yaml.Node
		keys []string
	}
	stack := []item{{n: root}}
	work := 0
	for len(stack) > 0 {
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		n := it.n
		if n.Kind == yaml.MappingNode {
			keys := len(n.Content) / 2
			if keys > maxKeys {
				return fmt.Errorf("config file %s: line %d: %s: %d keys, more than the %d telx reads in one place",
					path, n.Line, keyPath(it.keys), keys, maxKeys)
			}
			if work += keys * keys; work > maxKeyWork {
				return fmt.Errorf("config file %s: line %d: %s: too many keys in the file's large mappings (at most %d in one, fewer when several are large)",
					path, n.Line, keyPath(it.keys), maxKeys)
			}
			seen := make(map[string]int, len(n.Content)/2)
			for i := 0; i+1 < len(n.Content); i += 2 {
				k := n.Content[i]
				if k.Kind == yaml.ScalarNode {
					if line, dup := seen[k.Value]; dup {
						return fmt.Errorf("config file %s: line %d: key %q given twice (first at line %d)", path, k.Line, k.Value, line)
					}
					seen[k.Value] = k.Line
				}
				stack = append(stack, item{n: n.Content[i+1], keys: append(it.keys[:len(it.keys):len(it.keys)], k.Value)})
			}
			continue
		}
		for i, c := range n.Content {
			keys := it.keys
			if n.Kind == yaml.SequenceNode {
				keys = append(keys[:len(keys):len(keys)], fmt.Sprint(i))
			}
			stack = append(stack, item{n: c, keys: keys})
		}
	}
	return nil
}

func keyPath(keys []string) string {
	if len(keys) == 0 {
		return "the top level"
	}
	return strings.Join(keys, ".")
}

// unknownField is yaml.v3's message for a key that no field takes.
var unknownField = regexp.MustCompile(`^line (\d+): field (\S+) not found in type \S+$`)

// quotedValue is how yaml.v3 quotes a value in a type error.
var quotedValue = regexp.MustCompile("`[^`]*`")

// Parse decodes and checks a config file's content; path names it in
// errors.
func Parse(path string, data []byte) (*File, error) {
	f := &File{Path: path}
	if len(data) > MaxFileSize {
		return nil, tooLarge(path)
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("config file %s: %s", path, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if len(root.Content) == 0 {
		return f, nil // empty file
	}
	if err := checkMappings(path, &root); err != nil {
		return nil, err
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(f); err != nil {
		var te *yaml.TypeError
		if errors.As(err, &te) {
			msgs := make([]string, len(te.Errors))
			for i, m := range te.Errors {
				if g := unknownField.FindStringSubmatch(m); g != nil {
					m = fmt.Sprintf("line %s: unknown key %q", g[1], g[2])
				}
				// yaml.v3 quotes the start of the value, which may be a secret
				m = quotedValue.ReplaceAllString(m, "a value")
				msgs[i] = fmt.Sprintf("config file %s: %s", path, m)
			}
			return nil, errors.New(strings.Join(msgs, "\n"))
		}
		return nil, fmt.Errorf("config file %s: %s", path, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	f.Path = path
	if err := f.validate(&root); err != nil {
		return nil, err
	}
	return f, nil
}

// fieldError is a bad value, located by its key path in the file.
type fieldError struct {
	keys []string
	msg  string
}

func (f *File) validate(root *yaml.Node) error {
	var errs []error
	bad := func(msg string, keys ...string) {
		errs = append(errs, f.locate(root, fieldError{keys: keys, msg: msg}))
	}
	if f.CurrentContext != "" && f.Contexts[f.CurrentContext] == nil {
		bad(fmt.Sprintf("no context named %q", f.CurrentContext), "current_context")
	}
	for _, name := range f.ContextNames() {
		c := f.Contexts[name]
		if c == nil {
			continue
		}
		at := func(keys ...string) []string { return append([]string{"contexts", name}, keys...) }
		for _, bn := range BackendNames {
			b := c.Backend(bn)
			if b == nil {
				continue
			}
			for _, k := range []struct{ key, val string }{{"url", b.URL}, {"web_url", b.WebURL}} {
				if k.val == "" {
					continue
				}
				// the message leaves the value out: it may hold a password
				if err := CheckURL(k.val); err != nil {
					bad("want a URL such as https://host:port (schemes http, https, grpc, grpcs)", at(bn, k.key)...)
				}
			}
			if b.ProxyURL != "" {
				if u, err := url.Parse(b.ProxyURL); err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "socks5") {
					bad("want a proxy URL such as http://proxy:3128", at(bn, "proxy_url")...)
				}
			}
			n := 0
			for _, s := range []string{b.Token, b.TokenEnv, b.TokenFile, strings.Join(b.TokenCommand, " ")} {
				if s != "" {
					n++
				}
			}
			if n > 1 {
				bad("give one of token, token_env, token_file and token_command", at(bn, "token")...)
			}
			if n > 0 && b.Username != "" {
				bad("give a token or a username, not both", at(bn, "username")...)
			}
			if b.Password != "" && b.Username == "" {
				bad("a password needs a username", at(bn, "password")...)
			}
			if b.Protocol != "" && bn != "jaeger" {
				bad("only jaeger takes a protocol", at(bn, "protocol")...)
			}
			switch b.Protocol {
			case "", "http", "v3", "v1", "grpc", "grpc-v2":
			default:
				bad(fmt.Sprintf("protocol %q: want http, v3, v1, grpc or grpc-v2", b.Protocol), at(bn, "protocol")...)
			}
			if b.Timeout < 0 {
				bad("the timeout must not be negative", at(bn, "timeout")...)
			}
			if t := b.TLS; t != nil && (t.CertFile == "") != (t.KeyFile == "") {
				bad("cert_file and key_file go together", at(bn, "tls")...)
			}
		}
		for i, p := range c.TraceIDPatterns {
			re, err := regexp.Compile(p)
			switch {
			case err != nil:
				bad(err.Error(), at("trace_id_patterns", fmt.Sprint(i))...)
			case re.NumSubexp() < 1:
				bad("the pattern needs a group, the trace ID", at("trace_id_patterns", fmt.Sprint(i))...)
			}
		}
		if c.TraceToLogs != "" {
			if _, err := template.New("").Parse(c.TraceToLogs); err != nil {
				bad(err.Error(), at("trace_to_logs")...)
			}
		}
		if r := c.RED; r != nil {
			switch r.Preset {
			case "", "spanmetrics", "http":
			default:
				bad(fmt.Sprintf("preset %q: want spanmetrics or http", r.Preset), at("red", "preset")...)
			}
			for _, q := range []struct{ key, val string }{{"rate_query", r.RateQuery}, {"error_query", r.ErrorQuery}, {"latency_query", r.LatencyQuery}} {
				if _, err := template.New("").Parse(q.val); err != nil {
					bad(err.Error(), at("red", q.key)...)
				}
			}
		}
		if c.TimeZone != "" {
			if _, err := time.LoadLocation(c.TimeZone); err != nil {
				bad(fmt.Sprintf("unknown time zone %q", c.TimeZone), at("timezone")...)
			}
		}
		switch c.Theme {
		case "", "auto", "dark", "light", "none":
		default:
			bad(fmt.Sprintf("theme %q: want auto, dark, light or none", c.Theme), at("theme")...)
		}
		if c.Refresh != 0 && c.Refresh < time.Second {
			bad(fmt.Sprintf("refresh %s: want a second or more, such as 15s", c.Refresh), at("refresh")...)
		}
		if c.CompletionTimeout < 0 {
			bad(fmt.Sprintf("completion_timeout %s: want a positive duration, such as 2s", c.CompletionTimeout), at("completion_timeout")...)
		}
	}
	return errors.Join(errs...)
}

// locate formats e with the line of its key in the file.
func (f *File) locate(root *yaml.Node, e fieldError) error {
	n := root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	line := 0
	for _, k := range e.keys {
		var next *yaml.Node
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == k {
					line = n.Content[i].Line
					next = n.Content[i+1]
				}
			}
		case yaml.SequenceNode:
			var i int
			if _, err := fmt.Sscan(k, &i); err == nil && i < len(n.Content) {
				next = n.Content[i]
				line = next.Line
			}
		}
		if next == nil {
			break
		}
		n = next
	}
	key := strings.Join(e.keys, ".")
	if line > 0 {
		return fmt.Errorf("config file %s: line %d: %s: %s", f.Path, line, key, e.msg)
	}
	return fmt.Errorf("config file %s: %s: %s", f.Path, key, e.msg)
}

// CheckURL checks a backend URL's form.
func CheckURL(s string) error {
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok || rest == "" {
		return fmt.Errorf("%q is not a URL (want for example http://localhost:16686)", s)
	}
	switch scheme {
	case "http", "https", "grpc", "grpcs":
		return nil
	}
	return fmt.Errorf("%q: unsupported scheme %q (want http, https, grpc or grpcs)", s, scheme)
}

// ContextNames returns the contexts' names in order.
func (f *File) ContextNames() []string {
	names := make([]string, 0, len(f.Contexts))
	for n := range f.Contexts {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Loose tells whether the file can be read by its group or others.
func (f *File) Loose() bool { return f.Mode&0o077 != 0 }

// Save writes the file to f.Path with mode 0600 (its directory 0700),
// replacing it at once. Comments in the file are not kept.
func (f *File) Save() error {
	if f.Path == "" {
		return errors.New("no config file path: set TELX_CONFIG, --config or HOME")
	}
	data, err := f.Marshal()
	if err != nil {
		return err
	}
	dir := filepath.Dir(f.Path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".config-*.yaml")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(append([]byte("# written by telx; see docs/config.md\n"), data...)); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), f.Path); err != nil {
		return err
	}
	f.Mode = 0o600
	return nil
}

const redacted = "REDACTED"

// Redacted returns a copy of f with every secret replaced: passwords,
// inline tokens, header values and passwords in URLs.
func (f *File) Redacted() *File {
	c := &File{CurrentContext: f.CurrentContext, Path: f.Path, Mode: f.Mode}
	if f.Contexts != nil {
		c.Contexts = map[string]*Context{}
	}
	for name, ctx := range f.Contexts {
		if ctx == nil {
			c.Contexts[name] = nil
			continue
		}
		cc := *ctx
		for _, bn := range BackendNames {
			if b := ctx.Backend(bn); b != nil {
				cc.SetBackend(bn, b.redacted())
			}
		}
		c.Contexts[name] = &cc
	}
	return c
}

// String formats b with its secrets redacted, so that printing a
// Backend shows none.
func (b Backend) String() string {
	type plain Backend // without this method
	r := plain(*b.redacted())
	if r.TLS != nil {
		return fmt.Sprintf("%+v tls:%+v", r, *r.TLS)
	}
	return fmt.Sprintf("%+v", r)
}

// GoString is String, for %#v.
func (b Backend) GoString() string { return b.String() }

func (b *Backend) redacted() *Backend {
	c := *b
	if c.Password != "" {
		c.Password = redacted
	}
	if c.Token != "" {
		c.Token = redacted
	}
	c.URL, c.WebURL, c.ProxyURL = RedactURLString(c.URL), RedactURLString(c.WebURL), RedactURLString(c.ProxyURL)
	if len(b.Headers) > 0 {
		c.Headers = map[string]string{}
		for k := range b.Headers {
			c.Headers[k] = redacted
		}
	}
	return &c
}

// RedactURLString is RedactURL for a URL not parsed yet.
func RedactURLString(s string) string {
	if s == "" {
		return s
	}
	u, err := url.Parse(s)
	if err != nil {
		return redacted
	}
	return RedactURL(u)
}

// Marshal returns f as YAML, indented by two spaces.
func (f *File) Marshal() ([]byte, error) {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(f); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
