package demo

import (
	"context"

	"github.com/telx-cli/telx/sources"
)

// Rules returns the demo's alerting rules as Prometheus' rules API would
// list them, one group, each rule with its state and active alerts at the
// end of the scenario.
func (s *Source) Rules(ctx context.Context) ([]sources.RuleGroup, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	active := s.sc.Alerts()
	g := sources.RuleGroup{Name: "demo", File: "demo.rules.yml", Interval: EvalInterval, LastEvaluation: s.sc.Now}
	for _, r := range AlertRules {
		rule := sources.Rule{Kind: sources.RuleAlerting, Name: r.Name, Query: r.Expr(), For: r.For,
			Labels: map[string]string{"severity": r.Severity}, Health: "ok", State: "inactive", LastEvaluation: s.sc.Now}
		for _, a := range active {
			if a.Name == r.Name {
				rule.Alerts = append(rule.Alerts, a)
				if rule.State != "firing" {
					rule.State = a.State
				}
			}
		}
		g.Rules = append(g.Rules, rule)
	}
	return []sources.RuleGroup{g}, nil
}
