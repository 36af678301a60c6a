// Recall case tl-openfga-directuserset
// Source: github.com/openfga/openfga commit 40e65ec854d8391d59b61cabe5dfb32aed647006 (server/commands/check.go)
// Link: https://github.com/openfga/openfga/commit/40e65ec854d8391d59b61cabe5dfb32aed647006
// Bug: in CheckQuery.resolveDirectUserSet the goroutines send their error result with a bare "c <- &chanResolveResult{...}" on an unbuffered channel; when resolveDirectUserSet has already returned (readUsersetTuples/iterator error, or user found), nobody reads c and the goroutine (plus the wg.Wait/close(c) goroutine) blocks forever.
// Fix: every send selects on the done channel that resolveDirectUserSet closes on return.
// Rule: timeoutleak
package commands

// Stand-in for openfga's storage.OpenFGADatastore backed by database/sql: every
// read runs with the caller's ctx.

import (
	"context"
	"database/sql"
	"errors"
	"strings"
)

var (
	// ErrNotFound mirrors storage.ErrNotFound.
	ErrNotFound = errors.New("not found")
	// TupleIteratorDone mirrors storage.TupleIteratorDone.
	TupleIteratorDone = errors.New("no more tuples in iterator")
)

// TupleKey mirrors openfgapb.TupleKey.
type TupleKey struct {
	Object   string
	Relation string
	User     string
}

// TupleIterator mirrors storage.TupleIterator.
type TupleIterator interface {
	Next() (*TupleKey, error)
	Stop()
}

// Datastore is the subset of storage.OpenFGADatastore used by Check.
type Datastore interface {
	ReadUserTuple(ctx context.Context, store string, tk *TupleKey) (*TupleKey, error)
	ReadUsersetTuples(ctx context.Context, store string, tk *TupleKey) (TupleIterator, error)
	ReadRelationUserset(ctx context.Context, store, modelID, objectType, relation string) (*Userset, error)
}

// SQLDatastore implements Datastore with database/sql.
type SQLDatastore struct {
	db *sql.DB
}

func (s *SQLDatastore) ReadUserTuple(ctx context.Context, store string, tk *TupleKey) (*TupleKey, error) {
	objectType, objectID, _ := strings.Cut(tk.Object, ":")
	var user string
	err := s.db.QueryRowContext(ctx,
		"SELECT _user FROM tuple WHERE store = ? AND object_type = ? AND object_id = ? AND relation = ? AND _user = ?",
		store, objectType, objectID, tk.Relation, tk.User,
	).Scan(&user)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return &TupleKey{Object: tk.Object, Relation: tk.Relation, User: user}, nil
}

func (s *SQLDatastore) ReadUsersetTuples(ctx context.Context, store string, tk *TupleKey) (TupleIterator, error) {
	objectType, objectID, _ := strings.Cut(tk.Object, ":")
	rows, err := s.db.QueryContext(ctx,
		"SELECT _user FROM tuple WHERE store = ? AND object_type = ? AND object_id = ? AND relation = ? AND user_type = 'userset'",
		store, objectType, objectID, tk.Relation,
	)
	if err != nil {
		return nil, err
	}
	return &sqlTupleIterator{rows: rows, object: tk.Object, relation: tk.Relation}, nil
}

func (s *SQLDatastore) ReadRelationUserset(ctx context.Context, store, modelID, objectType, relation string) (*Userset, error) {
	var computed sql.NullString
	err := s.db.QueryRowContext(ctx,
		"SELECT computed_relation FROM relation_definition WHERE store = ? AND model_id = ? AND object_type = ? AND relation = ?",
		store, modelID, objectType, relation,
	).Scan(&computed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	if computed.Valid && computed.String != "" {
		return &Userset{Computed: computed.String}, nil
	}
	return &Userset{This: true}, nil
}

type sqlTupleIterator struct {
	rows     *sql.Rows
	object   string
	relation string
}

func (it *sqlTupleIterator) Next() (*TupleKey, error) {
	if !it.rows.Next() {
		if err := it.rows.Err(); err != nil {
			return nil, err
		}
		return nil, TupleIteratorDone
	}
	tk := &TupleKey{Object: it.object, Relation: it.relation}
	if err := it.rows.Scan(&tk.User); err != nil {
		return nil, err
	}
	return tk, nil
}

func (it *sqlTupleIterator) Stop() { _ = it.rows.Close() }
