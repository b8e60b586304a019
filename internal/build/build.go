// Package build holds what telx knows about its own build: the version,
// commit and date set by the linker at release time, with a fallback to the
// module's build information for binaries built by `go install` or `go build`.
package build

import (
	"runtime/debug"
	"sync"
)

// Set by the linker, for example:
//
//	-X github.com/telx-cli/telx/internal/build.Version=v0.1.0
var (
	Version = ""
	Commit  = ""
	Date    = ""
)

// Info is the resolved build information.
type Info struct {
	Version   string `json:"version"`
	Commit    string `json:"commit"`
	Date      string `json:"date"`
	GoVersion string `json:"goVersion"`
	Modified  bool   `json:"modified,omitempty"`
}

var (
	once     sync.Once
	resolved Info
)

// Get returns the build information, resolved once.
func Get() Info {
	once.Do(func() {
		bi, _ := debug.ReadBuildInfo()
		resolved = resolve(Version, Commit, Date, bi)
	})
	return resolved
}

// resolve prefers the linker-set values and fills what is missing from the
// module's build information.
func resolve(version, commit, date string, bi *debug.BuildInfo) Info {
	info := Info{Version: version, Commit: commit, Date: date}
	if bi != nil {
		info.GoVersion = bi.GoVersion
		if info.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			info.Version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				if info.Commit == "" {
					info.Commit = s.Value
				}
			case "vcs.time":
				if info.Date == "" {
					info.Date = s.Value
				}
			case "vcs.modified":
				info.Modified = s.Value == "true"
			}
		}
	}
	if info.Version == "" {
		info.Version = "dev"
	}
	if info.Commit == "" {
		info.Commit = "unknown"
	}
	if info.Date == "" {
		info.Date = "unknown"
	}
	return info
}
