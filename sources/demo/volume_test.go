package demo

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/telx-cli/telx/sources"
)

// The demo's volume counts the lines QueryLogs gives, per level, each in
// the step that ends at or after it.
func TestLogVolume(t *testing.T) {
	sc, err := Load(DatasetNow)
	if err != nil {
		t.Fatal(err)
	}
	s := NewSource(sc)
	for _, tt := range []struct {
		query string
		step  time.Duration
	}{
		{`{namespace="shop"}`, 0},
		{`{service_name="checkout"} |= "order"`, 5 * time.Minute},
		{`{service_name=~"payments|postgres"} | level="warn"`, time.Minute},
	} {
		q := sources.LogQuery{Query: tt.query, Range: sc.Window}
		want := map[string]map[int64]float64{}
		step := tt.step
		if step == 0 {
			step = time.Minute // an hour in about 100 steps
		}
		err := s.QueryLogs(context.Background(), q, func(e sources.LogEntry) error {
			end := e.Time.Truncate(step)
			if !end.Equal(e.Time) {
				end = end.Add(step)
			}
			if want[e.Level] == nil {
				want[e.Level] = map[int64]float64{}
			}
			want[e.Level][end.UnixNano()]++
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		series, err := s.LogVolume(context.Background(), q, tt.step)
		if err != nil {
			t.Fatal(err)
		}
		if len(series) != len(want) {
			t.Errorf("%s: %d series, want %d levels", tt.query, len(series), len(want))
		}
		for i, se := range series {
			lv := se.Labels["level"]
			if i > 0 && sources.LevelRank(series[i-1].Labels["level"]) >= sources.LevelRank(lv) {
				t.Errorf("%s: series not ordered by level", tt.query)
			}
			if len(se.Points) != len(want[lv]) {
				t.Errorf("%s: level %q: %d points, want %d", tt.query, lv, len(se.Points), len(want[lv]))
			}
			for _, p := range se.Points {
				if want[lv][p.Time.UnixNano()] != p.Value {
					t.Errorf("%s: level %q at %s: %v, want %v", tt.query, lv, p.Time, p.Value, want[lv][p.Time.UnixNano()])
				}
			}
		}
	}
	if _, err := s.LogVolume(context.Background(), sources.LogQuery{Query: `rate({a="b"}[1m])`, Range: sc.Window}, 0); err == nil {
		t.Error("a metric query has a volume")
	}
	if _, err := s.LogPatterns(context.Background(), sources.LogQuery{Query: `{a="b"}`}, 0); !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("patterns: %v, want ErrUnsupported", err)
	}
}
