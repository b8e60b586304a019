package harness

import (
	"context"
	"errors"

	"github.com/telx-cli/telx/sources"
)

// PushLogs sends more log entries to the harness's Loki, as the seeding
// does: one stream per label set, the metadata as structured metadata.
func (e *Env) PushLogs(ctx context.Context, logs []sources.LogEntry) error {
	if e.LokiURL == "" {
		return errors.New("harness: Loki is not running")
	}
	return pushLogs(ctx, e.LokiURL+"/loki/api/v1/push", "", logs)
}
