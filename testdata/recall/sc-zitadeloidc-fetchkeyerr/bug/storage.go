// Recall case sc-zitadeloidc-fetchkeyerr
// Source: github.com/zitadel/oidc commit f2f509a522b34b14ee7c7ff9f741506ea14939ca (pkg/op/storage.go)
// Link: https://github.com/zitadel/oidc/commit/f2f509a522b34b14ee7c7ff9f741506ea14939ca
// Bug: jwtProfileKeySet.VerifySignature replaces any error from Storage.GetKeyByIDAndUserID(ctx, ...) (a storage/DB call that honours ctx) with errors.New("error fetching keys"), so context.Canceled/DeadlineExceeded is lost and callers cannot tell cancellation from a bad key.
// Fix: the storage error is wrapped: fmt.Errorf("error fetching keys: %w", err).
// Rule: swallowcancel
package op

import (
	"context"
	"database/sql"
)

type Storage interface {
	GetKeyByIDAndUserID(ctx context.Context, keyID, userID string) (*JSONWebKey, error)
}

// sqlStorage is a stand-in Storage backed by database/sql.
type sqlStorage struct {
	db *sql.DB
}

func NewSQLStorage(db *sql.DB) Storage {
	return &sqlStorage{db: db}
}

func (s *sqlStorage) GetKeyByIDAndUserID(ctx context.Context, keyID, userID string) (*JSONWebKey, error) {
	key := new(JSONWebKey)
	err := s.db.QueryRowContext(ctx,
		"SELECT key_id, algorithm, public_key FROM machine_keys WHERE key_id = $1 AND user_id = $2",
		keyID, userID,
	).Scan(&key.KeyID, &key.Algorithm, &key.Key)
	if err != nil {
		return nil, err
	}
	return key, nil
}
