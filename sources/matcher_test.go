package sources

import (
	"strings"
	"testing"
)

func TestParseMatchers(t *testing.T) {
	tests := []struct {
		args    []string
		want    string // FormatMatchers(…, " ")
		wantErr string
	}{
		{args: []string{`alertname=~"High.*"`, `severity="critical"`}, want: `alertname=~"High.*" severity="critical"`},
		{args: []string{`HighLatency`, `service_name=payments`}, want: `alertname="HighLatency" service_name="payments"`},
		{args: []string{`{service_name!="frontend",severity!~"warn|info"}`}, want: `service_name!="frontend" severity!~"warn|info"`},
		{args: []string{`a=b,c=~d.*`}, want: `a="b" c=~"d.*"`},
		{args: []string{`msg="has, a comma"`}, want: `msg="has, a comma"`},
		{args: []string{`empty=""`}, want: `empty=""`},
		// a bare word is alertname's value only in the first place
		{args: []string{`a=b`, `HighLatency`}, wantErr: `bad matcher "HighLatency"`},
		{args: []string{`foo=~(`}, wantErr: `bad matcher "foo=~("`},
		{args: []string{`=value`}, wantErr: `bad matcher "=value"`},
		{args: []string{`1abc=x`}, wantErr: `bad matcher "1abc=x"`},
		{args: []string{`a="unterminated`}, wantErr: `bad matcher`},
		{args: []string{`{}`}, wantErr: `no matcher in it`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			ms, err := ParseMatchers(tt.args)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q (matchers %v)", err, tt.wantErr, ms)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := FormatMatchers(ms, " "); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
			// what String writes parses back to the same matchers
			strs := make([]string, len(ms))
			for i, m := range ms {
				strs[i] = m.String()
			}
			again, err := ParseMatchers(strs)
			if err != nil || FormatMatchers(again, " ") != tt.want {
				t.Errorf("round trip of %q: %v, %v", strs, again, err)
			}
		})
	}
}

func TestMatchersMatch(t *testing.T) {
	labels := map[string]string{"alertname": "HighLatency", "service_name": "payments", "severity": "warn"}
	tests := []struct {
		args []string
		want bool
	}{
		{[]string{"HighLatency"}, true},
		{[]string{"High"}, false},
		{[]string{`alertname=~"High.*"`}, true},
		{[]string{`alertname=~"High"`}, false}, // anchored
		{[]string{`severity!="warn"`}, false},
		{[]string{`severity!~"page|critical"`}, true},
		{[]string{`team=""`}, true}, // an absent label is empty
		{[]string{`team!=""`}, false},
		{[]string{`service_name=payments`, `severity=page`}, false},
	}
	for _, tt := range tests {
		ms, err := ParseMatchers(tt.args)
		if err != nil {
			t.Fatal(err)
		}
		if got := MatchersMatch(ms, labels); got != tt.want {
			t.Errorf("%v: got %v, want %v", tt.args, got, tt.want)
		}
	}
}

func TestManagedAlertStatus(t *testing.T) {
	tests := []struct {
		a    ManagedAlert
		want string
	}{
		{ManagedAlert{State: "active"}, AlertActive},
		{ManagedAlert{State: "suppressed", SilencedBy: []string{"x"}}, AlertSilenced},
		{ManagedAlert{State: "suppressed", SilencedBy: []string{"x"}, InhibitedBy: []string{"y"}}, AlertSilenced},
		{ManagedAlert{State: "suppressed", InhibitedBy: []string{"y"}}, AlertInhibited},
		{ManagedAlert{State: "unprocessed"}, AlertUnprocessed},
	}
	for _, tt := range tests {
		if got := tt.a.Status(); got != tt.want {
			t.Errorf("%+v: %s, want %s", tt.a, got, tt.want)
		}
	}
}

// No argument makes the parser panic, and what it accepts it writes back
// as matchers it reads again the same.
func FuzzParseMatchers(f *testing.F) {
	for _, s := range []string{`alertname=~"High.*"`, `{a="1",b!~"x|y"}`, `HighLatency`, `a=b,c=d`, `x="\"q\""`, `=`, `{`, `a=~(`, "a=\x00", `a!="\\"`} {
		f.Add(s, "b=c")
	}
	f.Fuzz(func(t *testing.T, first, second string) {
		ms, err := ParseMatchers([]string{first, second})
		if err != nil {
			return
		}
		strs := make([]string, len(ms))
		for i, m := range ms {
			strs[i] = m.String()
			m.Matches(first)
		}
		again, err := ParseMatchers(strs)
		if err != nil {
			t.Fatalf("%q → %q: %v", []string{first, second}, strs, err)
		}
		if FormatMatchers(again, "\n") != FormatMatchers(ms, "\n") {
			t.Fatalf("%q → %q → %q", []string{first, second}, strs, FormatMatchers(again, " "))
		}
	})
}
