// Package logpattern groups log lines into patterns locally, when the
// backend cannot (a Loki without its pattern ingester, the demo, a file):
// a Drain-style clustering (He et al., "Drain: An Online Log Parsing
// Approach with Fixed Depth Tree", ICWS 2017) of each line's message.
//
// Lines are split into tokens at spaces and routed down a tree of fixed
// depth: first by their level and number of tokens, then by their first
// tokens but the last (a token holding a digit takes the wildcard branch,
// as does any token past a node's MaxChildren). At the leaf, a line joins the most
// similar pattern (the share of positions where the pattern's token
// equals the line's, or both are key=value of one key) when that share
// reaches Similarity; the positions
// that differ become the variable <_> (key=<_> for key=value tokens of
// one key), as in Loki's patterns. Otherwise the line starts a pattern of
// its own.
//
// It is pure and bounded: telx clusters only the lines it loaded, and says
// so (Result.Lines).
package logpattern

import (
	"strings"
	"time"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/sources/logline"
)

// Variable is the token that stands for the variable parts of a pattern,
// as Loki writes them.
const Variable = "<_>"

// DefaultBuckets is about how many samples a pattern gets over the window
// when no step is given.
const DefaultBuckets = 100

const defaultMaxTokens = 64

// maxSteps bounds the samples of a pattern: a finer step given is
// coarsened (no sparkline is that wide).
const maxSteps = 1000

// Options tune the clustering. The zero value takes the defaults.
type Options struct {
	// Depth is how many leading tokens route a line (default 2).
	Depth int
	// Similarity is the share of equal tokens a line needs to join a
	// pattern, in (0, 1] (default 0.4).
	Similarity float64
	// MaxChildren bounds a tree node's branches; tokens past it share the
	// wildcard branch (default 100).
	MaxChildren int
	// MaxTokens bounds the tokens compared: a longer message keeps its
	// first MaxTokens-1 and ends in <_> (default 64).
	MaxTokens int
	// MaxPatterns bounds how many patterns are kept; past it, a line that
	// joins none is counted in Result.Unclustered (default 10,000).
	MaxPatterns int
}

func (o *Options) defaults() {
	if o.Depth <= 0 {
		o.Depth = 2
	}
	if o.Similarity <= 0 || o.Similarity > 1 {
		o.Similarity = 0.4
	}
	if o.MaxChildren <= 0 {
		o.MaxChildren = 100
	}
	if o.MaxTokens <= 1 {
		o.MaxTokens = defaultMaxTokens
	}
	if o.MaxPatterns <= 0 {
		o.MaxPatterns = 10000
	}
}

// Result is a clustering computed locally.
type Result struct {
	// Patterns are largest first, each with its lines per step over the
	// window (a sample at t counts the lines in [t, t+step), steps aligned
	// to the Unix epoch; steps without lines have a zero sample).
	Patterns []sources.LogPattern
	// Lines is how many lines were clustered: the patterns are of these
	// loaded lines only, not of everything the backend holds.
	Lines int
	// Unclustered is how many lines joined no pattern once MaxPatterns
	// patterns were found.
	Unclustered int
	// Step is the step of the samples.
	Step time.Duration
}

// Miner clusters lines as they come.
type Miner struct {
	o     Options
	r     sources.TimeRange
	step  int64 // ns
	first int64 // the start of the first step
	n     int   // steps

	roots    map[rootKey]*node
	clusters []*cluster
	lines    int
	dropped  int
	tokens   []string     // reused per line
	line     logline.Line // reused per entry
}

type rootKey struct {
	level  string
	length int
}

type node struct {
	children map[string]*node
	clusters []*cluster // at a leaf
}

type cluster struct {
	tokens []string
	level  string
	count  int64
	counts []int64 // per step, allocated on first use
}

// New returns a miner of lines over r, with samples per step (0 for
// about DefaultBuckets steps over r).
func New(r sources.TimeRange, step time.Duration, o Options) *Miner {
	o.defaults()
	if step <= 0 {
		step = sources.AutoStep(r, DefaultBuckets)
	} else if r.Duration()/step > maxSteps {
		step = sources.AutoStep(r, maxSteps)
	}
	m := &Miner{o: o, r: r, step: int64(step), roots: map[rootKey]*node{}}
	from, to := r.From.UnixNano(), r.To.UnixNano()
	m.first = from - ((from%m.step)+m.step)%m.step
	if m.first > from { // wrapped past the oldest time int64 holds
		m.first = from
	}
	if d := to - m.first; to >= m.first && d >= 0 {
		m.n = int(d/m.step) + 1
	}
	return m
}

// Add clusters one line's message, of a level ("" when unknown) at t.
func (m *Miner) Add(t time.Time, level, message string) {
	m.lines++
	toks := m.tokenize(message)
	c := m.match(level, toks)
	if c == nil {
		m.dropped++
		return
	}
	c.count++
	ns := t.UnixNano()
	if d := ns - m.first; m.n > 0 && ns >= m.first && d >= 0 { // d < 0: past int64's reach
		if i := int(d / m.step); i < m.n {
			if c.counts == nil {
				c.counts = make([]int64, m.n)
			}
			c.counts[i]++
		}
	}
}

// AddEntry clusters an entry by the message its line holds
// (logline.Parse), at the entry's level, else the line's own.
func (m *Miner) AddEntry(e *sources.LogEntry) {
	logline.ParseInto(e.Line, &m.line)
	level := e.Level
	if level == "" {
		level = m.line.Level
	}
	m.Add(e.Time, level, m.line.Message)
}

// tokenize splits s at runs of spaces into m.tokens, bounded by
// MaxTokens.
func (m *Miner) tokenize(s string) []string {
	m.tokens = tokenize(m.tokens[:0], s, m.o.MaxTokens)
	return m.tokens
}

// tokenize appends s's tokens to toks: its runs of non-spaces, at most
// max, the last <_> when there are more.
func tokenize(toks []string, s string, max int) []string {
	for i := 0; i < len(s); {
		for i < len(s) && isSpace(s[i]) {
			i++
		}
		if i == len(s) {
			break
		}
		j := i
		for j < len(s) && !isSpace(s[j]) {
			j++
		}
		if len(toks) == max-1 {
			toks = append(toks, Variable)
			break
		}
		toks = append(toks, s[i:j])
		i = j
	}
	return toks
}

// Matches tells whether message has the shape of pattern, as this package
// finds patterns (with the default MaxTokens): as many tokens, each the
// same, or any for <_>, or of the same key for key=<_>. It lets a
// pattern found locally filter loaded lines (by their logline message).
func Matches(pattern, message string) bool {
	var buf [32]string
	toks := tokenize(buf[:0], message, defaultMaxTokens)
	if pattern == "" {
		return len(toks) == 0
	}
	n := strings.Count(pattern, " ") + 1
	if n != len(toks) {
		return false
	}
	for i := 0; i < n; i++ {
		t := pattern
		if j := strings.IndexByte(pattern, ' '); j >= 0 {
			t, pattern = pattern[:j], pattern[j+1:]
		}
		switch k, isKey := strings.CutSuffix(t, Variable); {
		case t == toks[i] || t == Variable:
		case isKey && k != "" && strings.HasPrefix(toks[i], k):
		default:
			return false
		}
	}
	return true
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

func hasDigit(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			return true
		}
	}
	return false
}

// match finds the pattern toks joins, updating it, or starts one; nil
// when MaxPatterns are kept already and toks joins none.
func (m *Miner) match(level string, toks []string) *cluster {
	k := rootKey{level, len(toks)}
	nd := m.roots[k]
	if nd == nil {
		nd = &node{}
		m.roots[k] = nd
	}
	// descend by the first tokens, never the last (so that two lines of
	// one token apart still meet); a token with a digit, or one past the
	// node's bound, takes the wildcard branch
	for d := 0; d < m.o.Depth && d < len(toks)-1; d++ {
		key := toks[d]
		if hasDigit(key) {
			key = Variable
		}
		next := nd.children[key]
		if next == nil {
			if key != Variable && len(nd.children) >= m.o.MaxChildren {
				key = Variable
				next = nd.children[key]
			}
			if next == nil {
				if nd.children == nil {
					nd.children = map[string]*node{}
				}
				next = &node{}
				nd.children[key] = next
			}
		}
		nd = next
	}
	var best *cluster
	bestSim, bestVars := -1.0, -1
	for _, c := range nd.clusters {
		sim, vars := similarity(c.tokens, toks)
		if sim > bestSim || (sim == bestSim && vars > bestVars) {
			best, bestSim, bestVars = c, sim, vars
		}
	}
	if best != nil && (bestSim >= m.o.Similarity || len(toks) == 0) {
		for i, t := range best.tokens {
			if t != toks[i] {
				best.tokens[i] = merge(t, toks[i])
			}
		}
		return best
	}
	if len(m.clusters) >= m.o.MaxPatterns {
		return nil
	}
	c := &cluster{tokens: make([]string, len(toks)), level: level}
	for i, t := range toks {
		// a copy: the message may be a substring of a much longer line
		c.tokens[i] = strings.Clone(t)
	}
	nd.clusters = append(nd.clusters, c)
	m.clusters = append(m.clusters, c)
	return c
}

// merge returns the pattern token that covers both t (a pattern's) and
// tok (a line's), which differ: the variable, or for key=value tokens of
// one key, key=<_>.
func merge(t, tok string) string {
	if t == Variable {
		return t
	}
	if p, ok := strings.CutSuffix(t, Variable); ok && p != "" && strings.HasPrefix(tok, p) {
		return t
	}
	if k := keyOf(t); k != "" && strings.HasPrefix(tok, k) {
		return k + Variable
	}
	return Variable
}

// keyOf returns the key= a key=value token starts with, or "".
func keyOf(t string) string {
	if i := strings.IndexByte(t, '='); i > 0 {
		return t[:i+1]
	}
	return ""
}

// similarity is the share of positions where pattern and toks (of the
// same length) hold the same token or key=value tokens of the same key
// (the variable <_> is equal to nothing), and how many variables the
// pattern has.
func similarity(pattern, toks []string) (float64, int) {
	if len(pattern) == 0 {
		return 1, 0
	}
	same, vars := 0, 0
	for i, t := range pattern {
		switch {
		case t == Variable:
			vars++
		case t == toks[i]:
			same++
		default:
			if k := keyOf(t); k != "" && strings.HasPrefix(toks[i], k) {
				same++
			}
		}
	}
	return float64(same) / float64(len(pattern)), vars
}

// Result returns the patterns found so far, largest first.
func (m *Miner) Result() Result {
	res := Result{Lines: m.lines, Unclustered: m.dropped, Step: time.Duration(m.step), Patterns: make([]sources.LogPattern, 0, len(m.clusters))}
	// clusters of two branches of the tree may come to the same pattern
	type key struct{ pattern, level string }
	at := make(map[key]int, len(m.clusters))
	for _, c := range m.clusters {
		k := key{strings.Join(c.tokens, " "), c.level}
		i, ok := at[k]
		if !ok {
			i = len(res.Patterns)
			at[k] = i
			p := sources.LogPattern{Pattern: k.pattern, Level: c.level}
			if m.n > 0 {
				p.Samples = make([]sources.Point, m.n)
				for j := range p.Samples {
					p.Samples[j].Time = time.Unix(0, m.first+int64(j)*m.step)
				}
			}
			res.Patterns = append(res.Patterns, p)
		}
		p := &res.Patterns[i]
		p.Count += c.count
		for j, v := range c.counts {
			p.Samples[j].Value += float64(v)
		}
	}
	sources.SortLogPatterns(res.Patterns)
	return res
}

// Cluster groups entries (loaded lines) over r, samples per step (0: about
// DefaultBuckets steps).
func Cluster(entries []sources.LogEntry, r sources.TimeRange, step time.Duration, o Options) Result {
	m := New(r, step, o)
	for i := range entries {
		m.AddEntry(&entries[i])
	}
	return m.Result()
}
