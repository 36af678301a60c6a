// Recall case nd-boundary-clusterreqdeadline
// Source: github.com/hashicorp/boundary commit a2c529b9d14898bdfbacaf00165c2ba42941d849 (internal/daemon/controller/interceptor.go, internal/daemon/controller/listeners.go)
// Link: https://github.com/hashicorp/boundary/commit/a2c529b9d14898bdfbacaf00165c2ba42941d849
// Bug: the cluster gRPC server built in Controller.configureForCluster hands each worker request context (no deadline) straight to handlers such as workerServiceServer.LookupSession, whose session.Repository.LookupSession runs DB transactions that can wait forever (e.g. for a pooled connection).
// Fix: add requestMaxDurationInterceptor to the unary interceptor chain, wrapping every request context in context.WithTimeout(ctx, ln.Config.MaxRequestDuration).
// Rule: nodeadline
package controller

import (
	"context"
	"database/sql"
	"fmt"
)

// Session is the reduced session.Session.
type Session struct {
	PublicId  string
	ProjectId string
	Status    string
}

// Repository is the reduced session.Repository.
type Repository struct {
	writer *sql.DB
}

// doTx mirrors db.Writer.DoTx (single attempt).
func (r *Repository) doTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := r.writer.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

func (r *Repository) LookupSession(ctx context.Context, sessionId string) (*Session, error) {
	const op = "session.(Repository).LookupSession"
	if sessionId == "" {
		return nil, fmt.Errorf("%s: missing session id", op)
	}
	session := &Session{PublicId: sessionId}
	err := r.doTx(ctx, func(tx *sql.Tx) error {
		row := tx.QueryRowContext(ctx, "select project_id from session where public_id = $1", sessionId)
		if err := row.Scan(&session.ProjectId); err != nil {
			return fmt.Errorf("%s: failed for %s: %w", op, sessionId, err)
		}
		row = tx.QueryRowContext(ctx, "select state from session_state where session_id = $1 order by start_time desc limit 1", sessionId)
		if err := row.Scan(&session.Status); err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return session, nil
}
