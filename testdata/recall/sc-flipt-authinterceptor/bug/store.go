// Recall case sc-flipt-authinterceptor
// Source: github.com/flipt-io/flipt commit c12967bc73fdf02054cf3ef8498c05e25f0a18c0 (internal/storage/auth/sql/store.go)
// Link: https://github.com/flipt-io/flipt/commit/c12967bc73fdf02054cf3ef8498c05e25f0a18c0
// Bug: auth.UnaryInterceptor turns a context.Canceled/DeadlineExceeded from Store.GetAuthenticationByClientToken into errUnauthenticated, and ErrorUnaryInterceptor turns handler context errors into codes.Internal, so client cancellation/timeouts are reported as auth/internal failures.
// Fix: both interceptors check errors.Is(err, context.Canceled / context.DeadlineExceeded) and return status codes Canceled / DeadlineExceeded instead.
// Rule: swallowcancel
package auth

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"time"
)

type Authentication struct {
	Id        string
	Method    string
	ExpiresAt *time.Time
}

// Store is the SQL-backed authentication store.
type Store struct {
	db *sql.DB
}

func NewStore(db *sql.DB) *Store {
	return &Store{db: db}
}

func hashClientToken(token string) (string, error) {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:]), nil
}

// GetAuthenticationByClientToken fetches the associated Authentication for the provided clientToken string.
func (s *Store) GetAuthenticationByClientToken(ctx context.Context, clientToken string) (*Authentication, error) {
	hashedToken, err := hashClientToken(clientToken)
	if err != nil {
		return nil, fmt.Errorf("getting authentication by token: %w", err)
	}

	var (
		authentication Authentication
		expiresAt      sql.NullTime
	)
	if err := s.db.QueryRowContext(ctx,
		`SELECT id, method, expires_at FROM authentications WHERE hashed_client_token = $1`,
		hashedToken,
	).Scan(&authentication.Id, &authentication.Method, &expiresAt); err != nil {
		return nil, fmt.Errorf("getting authentication by token: %w", err)
	}
	if expiresAt.Valid {
		authentication.ExpiresAt = &expiresAt.Time
	}

	return &authentication, nil
}
