// Recall case nd-peerdb-catalog-ctx
// Source: github.com/PeerDB-io/peerdb commit 9e14094ac2e0396e4d9afb1f0dd1f32466bd1f07 (flow/cmd/handler.go)
// Link: https://github.com/PeerDB-io/peerdb/pull/1158
// Bug: the gRPC handlers (CreateCDCFlow, ShutdownFlow, CDCFlowStatus) receive the request ctx but their catalog helpers run h.pool.Exec/QueryRow with context.Background(), so a stuck catalog Postgres hangs the handler past the RPC deadline.
// Fix: the helpers take ctx as first parameter and the handlers pass their ctx down.
// Rule: nodeadline
package cmd

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
)

// pgxPool stands in for *pgxpool.Pool: each call is bounded only by its ctx.
type pgxPool struct{ db *sql.DB }

func (p *pgxPool) Exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return p.db.ExecContext(ctx, q, args...)
}

func (p *pgxPool) QueryRow(ctx context.Context, q string, args ...any) *sql.Row {
	return p.db.QueryRowContext(ctx, q, args...)
}

type FlowConnectionConfigs struct{ FlowJobName string }

type FlowRequestHandler struct{ pool *pgxPool }

func (h *FlowRequestHandler) CreateCDCFlow(ctx context.Context, cfg *FlowConnectionConfigs) error {
	err := h.updateFlowConfigInCatalog(ctx, cfg)
	if err != nil {
		return fmt.Errorf("unable to update flow config in catalog: %w", err)
	}
	return nil
}

func (h *FlowRequestHandler) updateFlowConfigInCatalog(ctx context.Context, cfg *FlowConnectionConfigs) error {
	cfgBytes, err := json.Marshal(cfg)
	if err != nil {
		return fmt.Errorf("unable to marshal flow config: %w", err)
	}
	_, err = h.pool.Exec(ctx, "UPDATE flows SET config_proto = $1 WHERE name = $2", cfgBytes, cfg.FlowJobName)
	return err
}

func (h *FlowRequestHandler) ShutdownFlow(ctx context.Context, flowJobName string) error {
	return h.removeFlowEntryInCatalog(ctx, flowJobName)
}

func (h *FlowRequestHandler) removeFlowEntryInCatalog(ctx context.Context, flowName string) error {
	_, err := h.pool.Exec(ctx, "DELETE FROM flows WHERE name = $1", flowName)
	return err
}

func (h *FlowRequestHandler) CDCFlowStatus(ctx context.Context, flowJobName string) (*FlowConnectionConfigs, error) {
	return h.getFlowConfigFromCatalog(ctx, flowJobName)
}

func (h *FlowRequestHandler) getFlowConfigFromCatalog(ctx context.Context, flowJobName string) (*FlowConnectionConfigs, error) {
	var configBytes []byte
	var config FlowConnectionConfigs
	err := h.pool.QueryRow(ctx,
		"SELECT config_proto FROM flows WHERE name = $1", flowJobName).Scan(&configBytes)
	if err != nil {
		return nil, err
	}
	return &config, json.Unmarshal(configBytes, &config)
}
