package traces

import (
	"reflect"
	"testing"
)

func TestMatches(t *testing.T) {
	names := []string{"Charge", "GetPaymentStatus", "GetRefund", "Refund"}
	for _, c := range []struct {
		typed string
		names []string
		want  []string
	}{
		{"", names, names},
		{"Get", names, []string{"GetPaymentStatus", "GetRefund"}},
		{"get", names, []string{"GetPaymentStatus", "GetRefund"}},
		{"GetR", names, []string{"GetRefund"}},
		{"Refund", names, []string{"Refund"}},
		{"x", names, names}, // none starts so: all
		{"G", nil, nil},
		{"", nil, nil},
	} {
		if got := (completion{names: c.names, typed: c.typed}).matches(); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%q in %q: %q, want %q", c.typed, c.names, got, c.want)
		}
	}
}
