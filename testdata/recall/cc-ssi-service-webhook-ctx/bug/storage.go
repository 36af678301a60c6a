// Recall case cc-ssi-service-webhook-ctx
// Source: github.com/TBD54566975/ssi-service commit 2dbfc4d32b6dd9679ec819bc79656e2f7a112fa0 (pkg/service/webhook/service.go, pkg/server/middleware/webhook.go)
// Link: https://github.com/TBD54566975/ssi-service/commit/2dbfc4d32b6dd9679ec819bc79656e2f7a112fa0
// Bug: the Webhook middleware starts "go PublishWebhook(ctx, ...)" with the request context; the goroutine runs after the handler has returned, when that ctx is already cancelled, so every webhook POST fails with "context canceled" (and the storage lookup uses context.Background with no deadline).
// Fix: PublishWebhook no longer takes the request ctx; it creates its own context.WithTimeout(context.Background(), s.timeoutDuration) for the lookup and the POSTs.
// Rule: cleanupctx
package webhook

import (
	"context"
	"database/sql"
	"encoding/json"
)

// Storage is a stand-in for the webhook storage (a key-value DB in upstream).
type Storage struct {
	db *sql.DB
}

type Webhook struct {
	Noun string   `json:"noun"`
	Verb string   `json:"verb"`
	URLS []string `json:"urls"`
}

func (s Storage) GetWebhook(ctx context.Context, noun, verb string) (*Webhook, error) {
	var raw []byte
	err := s.db.QueryRowContext(ctx, "SELECT data FROM webhooks WHERE noun = ? AND verb = ?", noun, verb).Scan(&raw)
	if err == sql.ErrNoRows {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var wh Webhook
	if err := json.Unmarshal(raw, &wh); err != nil {
		return nil, err
	}
	return &wh, nil
}
