package basic

import (
	"context"
	"database/sql"
)

// A nil guard with more than two ways in (fiber's Session.Destroy after its
// fix: the request's context if set, else the stored one, else — only when
// that is nil — context.Background()): the fallback is no root of its own.
type session struct {
	ctx, gctx context.Context
	db        *sql.DB
}

func (s *session) destroy(id string) error {
	var ctx context.Context = s.ctx
	if s.gctx != nil {
		ctx = s.gctx
	} else if ctx == nil {
		ctx = context.Background()
	}
	_, err := s.db.ExecContext(ctx, "DELETE FROM sessions WHERE id = $1", id)
	return err
}

// Background on a path that tests nothing: still a root.
func (s *session) destroyAlways(id string, useRequest bool) error {
	var ctx context.Context = s.ctx
	if useRequest {
		ctx = s.gctx
	} else {
		ctx = context.Background()
	}
	_, err := s.db.ExecContext(ctx, "DELETE FROM sessions WHERE id = $1", id) // want `context.Background\(\) may reach \(\*sql.DB\).ExecContext`
	return err
}
