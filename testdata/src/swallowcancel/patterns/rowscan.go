package patterns

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Row.Scan returns the error of the query that made the row, a
// cancellation included (flipt's auth interceptor turned a cancelled token
// lookup into "unauthenticated").

var errUnauthenticated = errors.New("request was not authenticated")

type tokenStore struct{ db *sql.DB }

func (s *tokenStore) lookup(ctx context.Context, token string) (string, error) {
	var id string
	if err := s.db.QueryRowContext(ctx, "SELECT id FROM tokens WHERE token = $1", token).Scan(&id); err != nil {
		return "", fmt.Errorf("looking up token: %w", err)
	}
	return id, nil
}

func authenticate(ctx context.Context, s *tokenStore, token string) (string, error) {
	id, err := s.lookup(ctx, token)
	if err != nil {
		return "", errUnauthenticated // want `patterns.errUnauthenticated replaces err, which may be a context cancellation \(from \(\*patterns.tokenStore\).lookup, which passes ctx to \(\*sql.DB\).QueryRowContext\)`
	}
	return id, nil
}

// Fixed: cancellations go through as they are.
func authenticateFixed(ctx context.Context, s *tokenStore, token string) (string, error) {
	id, err := s.lookup(ctx, token)
	if err != nil {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return "", err
		}
		return "", errUnauthenticated
	}
	return id, nil
}

// No row: sql.ErrNoRows is no cancellation.
func authenticateNoRows(ctx context.Context, s *tokenStore, token string) (string, error) {
	id, err := s.lookup(ctx, token)
	if errors.Is(err, sql.ErrNoRows) {
		return "", errUnauthenticated
	}
	return id, err
}
