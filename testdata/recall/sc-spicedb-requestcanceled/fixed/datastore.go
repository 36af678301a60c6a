// Recall case sc-spicedb-requestcanceled
// Source: github.com/authzed/spicedb commit 99534e21de209ad795960f105a10b2609800f4d6 (internal/graph/expand.go, internal/graph/errors.go)
// Link: https://github.com/authzed/spicedb/commit/99534e21de209ad795960f105a10b2609800f4d6
// Bug: when ctx is done, expandOne and expandSetOperation return NewRequestCanceledErr() (a fresh errors.New("request canceled")) instead of the context error, so callers cannot recognise context.Canceled/DeadlineExceeded and treat it as an unexpected graph error.
// Fix: return context.Canceled in the ctx.Done() branches and delete ErrRequestCanceled.
// Rule: swallowcancel
package graph

// Stand-in for the SpiceDB SQL datastores: QueryRelationships runs a SELECT through
// database/sql with the caller's ctx and iterates the rows.

import (
	"context"
	"database/sql"
	"strings"
)

// Relationship mirrors core.RelationTuple.
type Relationship struct {
	Resource *ObjectAndRelation
	Subject  *ObjectAndRelation
}

// RelationshipsFilter mirrors datastore.RelationshipsFilter.
type RelationshipsFilter struct {
	ResourceType             string
	OptionalResourceIds      []string
	OptionalResourceRelation string
}

// RelationshipIterator mirrors datastore.RelationshipIterator.
type RelationshipIterator interface {
	Next() *Relationship
	Err() error
	Close()
}

// Reader mirrors datastore.Reader.
type Reader interface {
	QueryRelationships(ctx context.Context, filter RelationshipsFilter, revision string) (RelationshipIterator, error)
}

type sqlReader struct {
	db *sql.DB
}

func (r *sqlReader) QueryRelationships(ctx context.Context, filter RelationshipsFilter, revision string) (RelationshipIterator, error) {
	args := []any{filter.ResourceType, filter.OptionalResourceRelation, revision}
	placeholders := make([]string, 0, len(filter.OptionalResourceIds))
	for _, id := range filter.OptionalResourceIds {
		args = append(args, id)
		placeholders = append(placeholders, "?")
	}
	query := "SELECT namespace, object_id, relation, userset_namespace, userset_object_id, userset_relation " +
		"FROM relation_tuple WHERE namespace = ? AND relation = ? AND created_xid <= ? AND object_id IN (" +
		strings.Join(placeholders, ",") + ")"
	rows, err := r.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return &rowsIterator{rows: rows}, nil
}

type rowsIterator struct {
	rows   *sql.Rows
	err    error
	closed bool
}

func (it *rowsIterator) Next() *Relationship {
	if it.closed || it.err != nil {
		return nil
	}
	if !it.rows.Next() {
		it.err = it.rows.Err()
		return nil
	}
	rel := &Relationship{Resource: &ObjectAndRelation{}, Subject: &ObjectAndRelation{}}
	if err := it.rows.Scan(
		&rel.Resource.Namespace, &rel.Resource.ObjectId, &rel.Resource.Relation,
		&rel.Subject.Namespace, &rel.Subject.ObjectId, &rel.Subject.Relation,
	); err != nil {
		it.err = err
		return nil
	}
	return rel
}

func (it *rowsIterator) Err() error { return it.err }

func (it *rowsIterator) Close() {
	if !it.closed {
		it.closed = true
		_ = it.rows.Close()
	}
}
