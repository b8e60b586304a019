package cmd

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/telx-cli/telx/sources"
	"github.com/telx-cli/telx/tui/render"
)

// askExemplars asks src for the exemplars of query's series over the
// view's range (--exemplars), their values in unit.
func (v *metricsView) askExemplars(ctx context.Context, src sources.MetricSource, query string, unit render.Unit) error {
	es, ok := src.(sources.ExemplarSource)
	if !ok {
		return UsageError(errors.New("--exemplars: this metric source keeps no exemplars (Prometheus does)"))
	}
	ex, err := es.Exemplars(ctx, query, v.r)
	if err != nil {
		return err
	}
	v.ex, v.exUnit = ex, unit
	if len(ex) == 0 {
		fmt.Fprintf(v.opts.IO.ErrOut, "telx: no exemplars of %s in this range (Prometheus keeps them when it runs with --enable-feature=exemplar-storage and scrapes them in OpenMetrics)\n",
			sources.Sanitize(query))
	}
	return nil
}

// writeExemplars writes, under a table drawn with o, the exemplars' marks
// on the time axis (not under a chart) and their list (--exemplars).
func (v *metricsView) writeExemplars(b *bytes.Buffer, rows []render.MetricRow, o render.MetricTableOptions) {
	if !v.opts.Exemplars || len(v.ex) == 0 {
		return
	}
	st := o.Styles
	if !v.opts.Chart && len(rows) > 0 {
		b.WriteString(render.ExemplarMarker(rows, o, v.ex, -1, "exemplar"))
		b.WriteByte('\n')
	}
	in := render.InRange(v.ex, v.r)
	if len(rows) > 0 {
		b.WriteByte('\n')
	}
	fmt.Fprintf(b, "%s\n", st.Dim.Apply(fmt.Sprintf("%d exemplars %s (telx trace <id> opens one)", len(in), render.MarkExemplar)))
	render.ExemplarTable(b, in, render.ExemplarTableOptions{Width: v.width, Styles: st, Unit: v.exUnit, Location: v.loc(), Selected: -1})
}

type jsonExemplar struct {
	Time    time.Time         `json:"time"`
	Value   jsonFloat         `json:"value"`
	TraceID sources.TraceID   `json:"traceID,omitempty"`
	SpanID  sources.SpanID    `json:"spanID,omitempty"`
	Labels  map[string]string `json:"labels"`
	Series  map[string]string `json:"series"`
}

// jsonWithExemplars is -o json with --exemplars: the series and the
// exemplars beside them.
type jsonWithExemplars struct {
	Series    []jsonSeries   `json:"series"`
	Exemplars []jsonExemplar `json:"exemplars"`
}

func toJSONExemplars(ex []sources.Exemplar) []jsonExemplar {
	out := make([]jsonExemplar, len(ex))
	for i, e := range ex {
		out[i] = jsonExemplar{Time: e.Time, Value: jsonFloat(e.Value), TraceID: e.TraceID, SpanID: e.SpanID, Labels: e.Labels, Series: e.Series}
		if out[i].Labels == nil {
			out[i].Labels = map[string]string{}
		}
		if out[i].Series == nil {
			out[i].Series = map[string]string{}
		}
	}
	return out
}

func (v *metricsView) writeJSONWithExemplars(series []sources.Series) error {
	out := jsonWithExemplars{Series: make([]jsonSeries, len(series)), Exemplars: toJSONExemplars(v.ex)}
	for i, s := range series {
		out.Series[i] = toJSONSeries(s)
	}
	return v.encodeJSON(out)
}

func (v *metricsView) encodeJSON(x any) error {
	enc := json.NewEncoder(v.opts.IO.Out)
	enc.SetIndent("", "  ")
	return enc.Encode(x)
}
