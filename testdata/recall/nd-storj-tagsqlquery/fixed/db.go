// Recall case nd-storj-tagsqlquery
// Source: github.com/storj/storj commit 3c2b904f9e654b58f6106abb63f50472ce0674ef (satellite/satellitedb/peeridentities.go, shared/tagsql/db.go)
// Link: https://github.com/storj/storj/commit/3c2b904f9e654b58f6106abb63f50472ce0674ef
// Bug: peerIdentities.BatchGet calls the tagsql DB wrapper method Query(ctx, ...), which accepts ctx but runs s.db.Query(query, args...) without it, so the database query has no deadline or cancellation.
// Fix: Callers use QueryContext(ctx, ...), which forwards ctx to sql.DB.QueryContext, and the context-dropping wrapper methods are removed.
// Rule: nodeadline
package satellitedb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// DB is the tagsql.DB wrapper interface around *sql.DB.
type DB interface {
	Name() string
	Rebind(query string) string

	QueryContext(ctx context.Context, query string, args ...interface{}) (*sql.Rows, error)
}

type sqlDB struct {
	db *sql.DB
}

// Wrap turns a *sql.DB into a DB.
func Wrap(db *sql.DB) DB { return &sqlDB{db: db} }

func (s *sqlDB) Name() string { return "postgres" }

// Rebind replaces ? placeholders with $N.
func (s *sqlDB) Rebind(query string) string {
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func (s *sqlDB) QueryContext(ctx context.Context, query string, args ...interface{}) (_ *sql.Rows, err error) {
	return s.db.QueryContext(ctx, query, args...)
}

// NodeID identifies a storage node.
type NodeID [32]byte

// PeerIdentity is the decoded certificate chain of a peer.
type PeerIdentity struct {
	Chain []byte
}

func decodePeerIdentity(ctx context.Context, chain []byte) (*PeerIdentity, error) {
	if len(chain) == 0 {
		return nil, errors.New("empty chain")
	}
	return &PeerIdentity{Chain: chain}, nil
}

func wrapErr(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("satellitedb: %w", err)
}

type peerIdentities struct {
	db DB
}

// BatchGet gets the peer identities based on the certificate chain from the database.
func (idents *peerIdentities) BatchGet(ctx context.Context, nodeIDs []NodeID) (peerIdents []*PeerIdentity, err error) {
	if len(nodeIDs) == 0 {
		return nil, nil
	}

	args := make([]interface{}, 0, len(nodeIDs))
	for _, nodeID := range nodeIDs {
		args = append(args, nodeID[:])
	}

	rows, err := idents.db.QueryContext(ctx, idents.db.Rebind(`
		SELECT chain
		FROM peer_identities
		WHERE node_id IN (?`+strings.Repeat(", ?", len(nodeIDs)-1)+`)
	`), args...)
	if err != nil {
		return nil, wrapErr(err)
	}
	defer func() { err = errors.Join(err, rows.Close()) }()

	for rows.Next() {
		var peerChain []byte
		err := rows.Scan(&peerChain)
		if err != nil {
			return nil, wrapErr(err)
		}
		ident, err := decodePeerIdentity(ctx, peerChain)
		if err != nil {
			return nil, wrapErr(err)
		}
		peerIdents = append(peerIdents, ident)
	}
	return peerIdents, wrapErr(rows.Err())
}
