package build

import (
	"runtime/debug"
	"testing"
)

func TestResolve(t *testing.T) {
	withVCS := &debug.BuildInfo{
		GoVersion: "go1.26.8",
		Main:      debug.Module{Path: "github.com/telx-cli/telx", Version: "(devel)"},
		Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "abc123"},
			{Key: "vcs.time", Value: "2026-11-25T04:00:00Z"},
			{Key: "vcs.modified", Value: "true"},
		},
	}
	installed := &debug.BuildInfo{
		GoVersion: "go1.26.8",
		Main:      debug.Module{Path: "github.com/telx-cli/telx", Version: "v0.2.0"},
	}
	tests := []struct {
		name                  string
		version, commit, date string
		bi                    *debug.BuildInfo
		want                  Info
	}{
		{
			name:    "ldflags win over build info",
			version: "v1.0.0", commit: "deadbeef", date: "2026-01-01",
			bi:   withVCS,
			want: Info{Version: "v1.0.0", Commit: "deadbeef", Date: "2026-01-01", GoVersion: "go1.26.8", Modified: true},
		},
		{
			name: "go build in a checkout: vcs settings",
			bi:   withVCS,
			want: Info{Version: "dev", Commit: "abc123", Date: "2026-11-25T04:00:00Z", GoVersion: "go1.26.8", Modified: true},
		},
		{
			name: "go install at a version: module version",
			bi:   installed,
			want: Info{Version: "v0.2.0", Commit: "unknown", Date: "unknown", GoVersion: "go1.26.8"},
		},
		{
			name: "no build info at all",
			want: Info{Version: "dev", Commit: "unknown", Date: "unknown"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := resolve(tt.version, tt.commit, tt.date, tt.bi)
			if got != tt.want {
				t.Errorf("resolve() = %+v, want %+v", got, tt.want)
			}
		})
	}
}
