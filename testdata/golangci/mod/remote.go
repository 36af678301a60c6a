package gcl

import "context"

// Remote is a wait the analyzers cannot see into; .golangci.yml declares it a
// sink through nodeadline's sinks setting.
func Remote(ctx context.Context, key string) error {
	_, _ = ctx, key
	return nil
}
