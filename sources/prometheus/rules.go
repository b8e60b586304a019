package prometheus

import (
	"context"
	"time"

	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"

	"github.com/telx-cli/telx/sources"
)

// Rules returns Prometheus' rule groups (/api/v1/rules), alerting and
// recording rules in the order Prometheus evaluates them. A group's last
// evaluation is the latest of its rules', its evaluation time their sum
// (client_golang does not read the group's own).
func (c *Client) Rules(ctx context.Context) ([]sources.RuleGroup, error) {
	res, err := c.api.Rules(ctx, nil)
	if err != nil {
		return nil, c.fail("rules", err)
	}
	out := make([]sources.RuleGroup, 0, len(res.Groups))
	for _, g := range res.Groups {
		rg := sources.RuleGroup{Name: g.Name, File: g.File, Interval: seconds(g.Interval), Rules: make([]sources.Rule, 0, len(g.Rules))}
		for _, r := range g.Rules {
			var rule sources.Rule
			switch r := r.(type) {
			case v1.AlertingRule:
				rule = sources.Rule{
					Kind: sources.RuleAlerting, Name: r.Name, Query: r.Query, For: seconds(r.Duration),
					Labels: labelsOrNil(r.Labels), Annotations: labelsOrNil(r.Annotations), State: r.State,
					Health: string(r.Health), LastError: r.LastError,
					LastEvaluation: r.LastEvaluation, EvaluationTime: seconds(r.EvaluationTime),
				}
				for _, a := range r.Alerts {
					l := labels(model.Metric(a.Labels))
					rule.Alerts = append(rule.Alerts, sources.Alert{
						Name: l[model.AlertNameLabel], State: string(a.State), Labels: l,
						Annotations: labels(model.Metric(a.Annotations)), ActiveAt: a.ActiveAt, Value: a.Value,
					})
				}
			case v1.RecordingRule:
				rule = sources.Rule{
					Kind: sources.RuleRecording, Name: r.Name, Query: r.Query, Labels: labelsOrNil(r.Labels),
					Health: string(r.Health), LastError: r.LastError,
					LastEvaluation: r.LastEvaluation, EvaluationTime: seconds(r.EvaluationTime),
				}
			default:
				continue
			}
			if rule.LastEvaluation.After(rg.LastEvaluation) {
				rg.LastEvaluation = rule.LastEvaluation
			}
			rg.EvaluationTime += rule.EvaluationTime
			rg.Rules = append(rg.Rules, rule)
		}
		out = append(out, rg)
	}
	return out, nil
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

func labelsOrNil(ls model.LabelSet) map[string]string {
	if len(ls) == 0 {
		return nil
	}
	return labels(model.Metric(ls))
}

var _ sources.RuleSource = (*Client)(nil)
