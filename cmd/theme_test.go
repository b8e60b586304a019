package cmd

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/charmbracelet/colorprofile"
	"github.com/spf13/cobra"

	"github.com/telx-cli/telx/tui/styles"
)

func TestTheme(t *testing.T) {
	light := writeConfig(t, "current_context: a\ncontexts:\n  a:\n    theme: light\n  b:\n    theme: none\n")
	tests := []struct {
		name      string
		env       map[string]string
		want      styles.Theme
		wantColor bool
		wantErr   string
	}{
		{"default", nil, styles.ThemeAuto, true, ""},
		{"TELX_THEME", map[string]string{"TELX_THEME": "dark"}, styles.ThemeDark, true, ""},
		{"the context's", map[string]string{"TELX_CONFIG": light}, styles.ThemeLight, true, ""},
		{"TELX_THEME beats the context", map[string]string{"TELX_CONFIG": light, "TELX_THEME": "dark"}, styles.ThemeDark, true, ""},
		{"none turns colour off", map[string]string{"TELX_THEME": "none"}, styles.ThemeAuto, false, ""},
		{"the context's none", map[string]string{"TELX_CONFIG": light, "TELX_CONTEXT": "b"}, styles.ThemeAuto, false, ""},
		{"a light COLORFGBG", map[string]string{"COLORFGBG": "0;15"}, styles.ThemeLight, true, ""},
		{"a light COLORFGBG of three fields", map[string]string{"COLORFGBG": "0;default;7"}, styles.ThemeLight, true, ""},
		{"a dark COLORFGBG", map[string]string{"COLORFGBG": "15;0"}, styles.ThemeAuto, true, ""},
		{"bright black is dark", map[string]string{"COLORFGBG": "7;8"}, styles.ThemeAuto, true, ""},
		{"an unreadable COLORFGBG", map[string]string{"COLORFGBG": "default"}, styles.ThemeAuto, true, ""},
		{"COLORFGBG does not override a chosen theme", map[string]string{"COLORFGBG": "0;15", "TELX_THEME": "dark"}, styles.ThemeDark, true, ""},
		{"unknown", map[string]string{"TELX_THEME": "solarized"}, styles.ThemeAuto, true, `TELX_THEME "solarized": want auto, dark, light or none`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var errOut bytes.Buffer
			io := TestIO(&bytes.Buffer{}, &errOut)
			io.Profile, io.IsTTY = colorprofile.TrueColor, true
			root, opts := newRootCmd(io, func(k string) string { return tt.env[k] })
			root.AddCommand(&cobra.Command{Use: "probe", RunE: func(*cobra.Command, []string) error { return nil }})
			code := Run(context.Background(), root, io, []string{"probe"})
			if tt.wantErr != "" {
				if code != ExitUsage || !strings.Contains(errOut.String(), tt.wantErr) {
					t.Fatalf("exit %d, %q; want a usage error saying %q", code, errOut.String(), tt.wantErr)
				}
				return
			}
			if code != ExitOK {
				t.Fatalf("exit %d: %s", code, errOut.String())
			}
			if opts.theme != tt.want || io.ColorEnabled() != tt.wantColor {
				t.Errorf("theme %v, colour %v; want %v, %v", opts.theme, io.ColorEnabled(), tt.want, tt.wantColor)
			}
			if st := opts.Styles(io); st.Color != tt.wantColor || st.Theme() != tt.want && tt.wantColor {
				t.Errorf("styles: colour %v theme %v", st.Color, st.Theme())
			}
		})
	}
}
