package render

import (
	"math"
	"testing"
)

func TestFormatValue(t *testing.T) {
	tests := []struct {
		v    float64
		u    Unit
		want string
	}{
		{0, UnitNone, "0"},
		{3, UnitNone, "3"},
		{12.345, UnitNone, "12.3"},
		{1234, UnitNone, "1.23k"},
		{999.7, UnitNone, "1k"},
		{2.5e6, UnitNone, "2.50M"},
		{0.0123, UnitNone, "0.0123"},
		{0.5, UnitNone, "0.500"},
		{-42, UnitNone, "-42"},
		{0.000012, UnitNone, "1.2e-05"},
		{0.25, UnitSeconds, "250ms"},
		{1.5, UnitSeconds, "1.50s"},
		{0, UnitSeconds, "0s"},
		{45.2, UnitMilliseconds, "45.2ms"},
		{1021, UnitMilliseconds, "1.02s"},
		{1536, UnitBytes, "1.50KiB"},
		{512, UnitBytes, "512B"},
		{3 << 30, UnitBytes, "3GiB"},
		{0.3072, UnitRatio, "30.7%"},
		{0.005, UnitRatio, "0.500%"},
		{1, UnitRatio, "100%"},
		{31, UnitPercent, "31%"},
		{12.3456, UnitPerSecond, "12.3/s"},
		{math.NaN(), UnitSeconds, "NaN"},
		{math.Inf(1), UnitBytes, "+Inf"},
		{math.Inf(-1), UnitNone, "-Inf"},
	}
	for _, tt := range tests {
		if got := FormatValue(tt.v, tt.u); got != tt.want {
			t.Errorf("FormatValue(%v, %d) = %q, want %q", tt.v, tt.u, got, tt.want)
		}
	}
}

func TestGuessUnit(t *testing.T) {
	tests := []struct {
		query string
		want  Unit
	}{
		{`histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))`, UnitSeconds},
		{`histogram_quantile(0.5, sum by (le) (rate(traces_span_metrics_duration_milliseconds_bucket{service_name="x_bytes"}[5m])))`, UnitMilliseconds},
		{`rate(http_request_duration_seconds_count[5m])`, UnitNone},
		{`process_resident_memory_bytes`, UnitBytes},
		{`rate(process_cpu_seconds_total[1m])`, UnitRatio},
		{`node_memory_MemFree_bytes / node_load1_seconds`, UnitNone},
		{`sum(rate(traces_span_metrics_calls_total[5m]))`, UnitNone},
		{`cache_hit_ratio`, UnitRatio},
		{`traces_span_metrics_duration_milliseconds_bucket{service_name="payments"}`, UnitNone},
		{`sum(rate(http_request_duration_seconds_bucket[5m]))`, UnitNone},
		{`rate(http_request_duration_seconds_sum[5m]) / rate(http_request_duration_seconds_count[5m])`, UnitSeconds},
	}
	for _, tt := range tests {
		if got := GuessUnit(tt.query); got != tt.want {
			t.Errorf("GuessUnit(%s) = %d, want %d", tt.query, got, tt.want)
		}
	}
}
