package styles

import "testing"

func TestParseTheme(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want Theme
		ok   bool
	}{
		{"", ThemeAuto, true}, {"auto", ThemeAuto, true}, {"dark", ThemeDark, true}, {"light", ThemeLight, true},
		{"Light", ThemeAuto, false}, {"solarized", ThemeAuto, false},
	} {
		if got, ok := ParseTheme(tt.in); got != tt.want || ok != tt.ok {
			t.Errorf("ParseTheme(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestAdapt(t *testing.T) {
	light, dark := NewTheme(true, ThemeLight), NewTheme(true, ThemeDark)
	if light.Dim == dark.Dim || light.Service("payments") == dark.Service("payments") || light.Match() == dark.Match() {
		t.Fatal("the light and dark palettes do not differ")
	}
	tests := []struct {
		name        string
		s           *Styles
		dark        bool
		changed     bool
		wantDimLike *Styles
	}{
		{"auto, light background", NewTheme(true, ThemeAuto), false, true, light},
		{"auto, dark background", NewTheme(true, ThemeAuto), true, false, dark},
		{"dark, light background", NewTheme(true, ThemeDark), false, false, dark},
		{"light, dark background", NewTheme(true, ThemeLight), true, false, light},
		{"no colour", NewTheme(false, ThemeAuto), false, false, &Styles{}},
	}
	for _, tt := range tests {
		theme := tt.s.Theme()
		if got := tt.s.Adapt(tt.dark); got != tt.changed {
			t.Errorf("%s: Adapt = %v, want %v", tt.name, got, tt.changed)
		}
		if tt.s.Dim != tt.wantDimLike.Dim || tt.s.Service("x") != tt.wantDimLike.Service("x") || tt.s.Match() != tt.wantDimLike.Match() {
			t.Errorf("%s: not the expected palette after Adapt", tt.name)
		}
		if tt.s.Theme() != theme {
			t.Errorf("%s: theme %v became %v", tt.name, theme, tt.s.Theme())
		}
	}
}
