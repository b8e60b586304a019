package config

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse reads any bytes as a config file: no panic; a file accepted
// is written by Marshal as a file that parses again and is written the
// same (what telx saves, it loads).
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.yaml")
	for _, file := range files {
		if b, err := os.ReadFile(file); err == nil {
			f.Add(b)
		}
	}
	for _, s := range []string{
		"current-context: prod\ncontexts:\n  prod:\n    jaeger:\n      url: https://jaeger.example.com\n      token: s3cret\n    prometheus:\n      url: http://prom:9090\n      headers:\n        X-Scope-OrgID: team\n    loki:\n      url: http://loki:3100\n      user: u\n      password: p\n      tls:\n        insecure-skip-verify: true\n",
		"contexts:\n  a: {jaeger: {url: 'grpc://j:16685'}, timezone: Europe/Paris}\n",
		"contexts:\n  a:\n    jaeger:\n      url: ftp://x\n", "unknown: 1\n", "contexts: [1, 2]\n", "", "---\n", "a: &a [*a]\n", "contexts:\n  x: !!binary aGk=\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cf, err := Parse("config.yaml", data)
		if err != nil {
			return
		}
		out, err := cf.Marshal()
		if err != nil {
			t.Fatalf("Marshal of a file Parse accepted: %v", err)
		}
		back, err := Parse("config.yaml", out)
		if err != nil {
			t.Fatalf("the file Marshal wrote does not parse: %v\n%s", err, out)
		}
		again, err := back.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out, again) {
			t.Fatalf("written, read and written again, the file changed:\n%s\nthen\n%s", out, again)
		}
	})
}
