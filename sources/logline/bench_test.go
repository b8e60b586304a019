package logline

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// benchLines are 100,000 lines of all the formats, mixed: for each line a
// format drawn at random, then one of its sample lines (recorded ones
// where there are, the table's others).
func benchLines(b *testing.B) []string {
	b.Helper()
	pools := map[Format][]string{}
	for _, name := range []string{"hotrod-console", "jaeger-console", "loki-logfmt", "prometheus-logfmt", "prometheus-json"} {
		for _, line := range readLines(b, "testdata/lines/"+name+".log") {
			l := ParseAt(line, now)
			pools[l.Format] = append(pools[l.Format], line)
		}
	}
	for _, tt := range parseCases {
		if !strings.HasPrefix(tt.name, "bad:") {
			pools[tt.want.Format] = append(pools[tt.want.Format], tt.line)
		}
	}
	if len(pools) != len(formatNames) {
		b.Fatalf("samples of %d formats, want all %d", len(pools), len(formatNames))
	}
	r := rand.New(rand.NewPCG(1, 2))
	lines := make([]string, 100_000)
	for i := range lines {
		pool := pools[Format(r.IntN(len(formatNames)))]
		lines[i] = pool[r.IntN(len(pool))]
	}
	return lines
}

// BenchmarkParse parses 100,000 mixed lines with ParseInto, reusing one
// Line: an op is one line.
func BenchmarkParse(b *testing.B) {
	lines := benchLines(b)
	size := 0
	for _, l := range lines {
		size += len(l)
	}
	var l Line
	b.SetBytes(int64(size / len(lines)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ParseInto(lines[i%len(lines)], &l)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}

// BenchmarkParseFormat parses each format's samples alone.
func BenchmarkParseFormat(b *testing.B) {
	lines := benchLines(b)
	for f := range Format(len(formatNames)) {
		var own []string
		for _, line := range lines {
			if ParseAt(line, now).Format == f {
				own = append(own, line)
			}
		}
		b.Run(f.String(), func(b *testing.B) {
			var l Line
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				ParseInto(own[i%len(own)], &l)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lines/s")
		})
	}
}

// BenchmarkParseLong parses a 1 MB JSON line.
func BenchmarkParseLong(b *testing.B) {
	line := `{"level":"info","msg":"` + strings.Repeat("x", 1<<20) + `","n":1}`
	var l Line
	b.SetBytes(int64(len(line)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ParseInto(line, &l)
	}
}

// TestParseDoesNotAllocate checks that a line without escapes parses
// without allocating, into a Line whose fields have room, and that Parse
// itself costs no more than its fields.
func TestParseDoesNotAllocate(t *testing.T) {
	var l Line
	l.Fields = make([]Field, 0, 64)
	for _, tt := range parseCases {
		if strings.IndexByte(tt.line, '\\') >= 0 {
			continue // unescaping allocates
		}
		if n := testing.AllocsPerRun(20, func() { ParseInto(tt.line, &l) }); n != 0 {
			t.Errorf("ParseInto(%q) allocates %v times", tt.line, n)
		}
	}
	if n := testing.AllocsPerRun(20, func() { Parse("2026-12-01T06:15:25Z\tINFO\tstarting") }); n != 0 {
		t.Errorf("Parse of a line without fields allocates %v times", n)
	}
}
