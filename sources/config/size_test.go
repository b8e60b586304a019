package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// manyHeaders is a context whose Loki has n headers.
func manyHeaders(n int) []byte {
	var b strings.Builder
	b.WriteString("contexts:\n  a:\n    loki:\n      headers:\n")
	for i := range n {
		fmt.Fprintf(&b, "        X-H%d: v\n", i)
	}
	return []byte(b.String())
}

// A config file over the cap is refused without being read (a 50 MB one
// took yaml.v3 minutes), and so is a mapping of more keys than telx reads
// in one place, whose duplicate check would take yaml.v3 quadratic time.
func TestConfigSizeCaps(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.yaml")
	// 50 MB of contexts, as valid YAML
	var b strings.Builder
	b.WriteString("contexts:\n")
	for i := 0; b.Len() < 50<<20; i++ {
		fmt.Fprintf(&b, "  c%d:\n    loki:\n      url: http://loki-%d.example.com:3100\n", i, i)
	}
	if err := os.WriteFile(big, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	want := "config file " + big + ": larger than 1 MiB, the most telx reads from a config file"
	if _, err := Load(big); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("Load: %v", err)
	}
	if _, err := Parse(big, []byte(b.String())); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("Parse: %v", err)
	}

	if _, err := Parse("c.yaml", manyHeaders(maxKeys)); err != nil {
		t.Errorf("%d headers: %v", maxKeys, err)
	}
	_, err := Parse("c.yaml", manyHeaders(maxKeys+1))
	if want := "config file c.yaml: line 5: contexts.a.loki.headers: 1001 keys, more than the 1000 telx reads in one place"; err == nil || err.Error() != want {
		t.Errorf("%d headers: %v, want %q", maxKeys+1, err, want)
	}
	// many large mappings, each within the cap
	var m strings.Builder
	m.WriteString("contexts:\n")
	for c := range 5 {
		fmt.Fprintf(&m, "  c%d:\n    loki:\n      headers: {", c)
		for i := range maxKeys {
			fmt.Fprintf(&m, "%d: v,", i)
		}
		m.WriteString("}\n")
	}
	if _, err := Parse("c.yaml", []byte(m.String())); err == nil || !strings.Contains(err.Error(), "headers: too many keys in the file's large mappings") {
		t.Errorf("5 mappings of %d keys: %v", maxKeys, err)
	}
	_, err = Parse("c.yaml", []byte("contexts:\n  a:\n    theme: dark\n  b: {}\n  a:\n    theme: light\n"))
	if want := `config file c.yaml: line 5: key "a" given twice (first at line 2)`; err == nil || err.Error() != want {
		t.Errorf("a duplicate: %v, want %q", err, want)
	}
}

// BenchmarkParseWorstCase parses a file of mappings of as many keys as
// telx reads in one place, as many as it reads: the most work yaml.v3's
// duplicate check can be given.
func BenchmarkParseWorstCase(b *testing.B) {
	var s strings.Builder
	s.WriteString("contexts:\n")
	for c := range maxKeyWork/(maxKeys*maxKeys) - 1 {
		fmt.Fprintf(&s, "  c%d:\n    loki:\n      headers: {", c)
		for i := range maxKeys {
			fmt.Fprintf(&s, "%d: v,", i)
		}
		s.WriteString("}\n")
	}
	data := []byte(s.String())
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Parse("c.yaml", data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParse1000Contexts(b *testing.B) {
	var s strings.Builder
	s.WriteString("contexts:\n")
	for i := range maxKeys {
		fmt.Fprintf(&s, "  c%d:\n    jaeger:\n      url: http://jaeger-%d:16686\n    loki:\n      url: http://loki-%d:3100\n      tenant: t%d\n", i, i, i, i)
	}
	data := []byte(s.String())
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Parse("c.yaml", data); err != nil {
			b.Fatal(err)
		}
	}
}
