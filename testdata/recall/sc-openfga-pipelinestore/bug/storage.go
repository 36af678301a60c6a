// Recall case sc-openfga-pipelinestore
// Source: github.com/openfga/openfga commit ffdcf600cacc97a1e6997ddfe279e1a408c0ca7e (internal/listobjects/pipeline/store.go)
// Link: https://github.com/openfga/openfga/commit/ffdcf600cacc97a1e6997ddfe279e1a408c0ca7e
// Bug: TupleKeyItemReceiver.Recv treats ctx.Err() != nil as normal end-of-stream (returns false), and Recv/createIterator report datastore errors caused by cancellation without the context error, so ListObjects cannot tell a cancelled/short-circuited read from a complete one or from a real datastore failure.
// Fix: drop the ctx.Err() early return in Recv and errors.Join(ctx.Err(), err) into the iterator and datastore errors.
// Rule: swallowcancel
package pipeline

// Stand-in for openfga's pkg/storage and its SQL datastore: ReadStartingWithUser
// runs the SELECT through database/sql with the caller's ctx, and the iterator
// walks the *sql.Rows, reporting ErrIteratorDone at the end.

import (
	"context"
	"database/sql"
	"errors"
	"strings"
)

// ErrIteratorDone mirrors storage.ErrIteratorDone.
var ErrIteratorDone = errors.New("iterator done")

// TupleKey mirrors openfgav1.TupleKey.
type TupleKey struct {
	Object    string
	Relation  string
	User      string
	Condition string
}

// ObjectRelation mirrors openfgav1.ObjectRelation.
type ObjectRelation struct {
	Object   string
	Relation string
}

// ReadStartingWithUserFilter mirrors storage.ReadStartingWithUserFilter.
type ReadStartingWithUserFilter struct {
	ObjectType string
	Relation   string
	UserFilter []ObjectRelation
	Conditions []string
}

// TupleIterator mirrors storage.TupleIterator.
type TupleIterator interface {
	Next(ctx context.Context) (*TupleKey, error)
	Stop()
}

// TupleKeyIterator mirrors storage.TupleKeyIterator.
type TupleKeyIterator interface {
	Next(ctx context.Context) (*TupleKey, error)
	Stop()
}

// RelationshipTupleReader mirrors storage.RelationshipTupleReader.
type RelationshipTupleReader interface {
	ReadStartingWithUser(ctx context.Context, store string, filter ReadStartingWithUserFilter) (TupleIterator, error)
}

// SQLStore is the database/sql backed reader.
type SQLStore struct {
	db *sql.DB
}

func (s *SQLStore) ReadStartingWithUser(ctx context.Context, store string, filter ReadStartingWithUserFilter) (TupleIterator, error) {
	args := []any{store, filter.ObjectType, filter.Relation}
	users := make([]string, 0, len(filter.UserFilter))
	for _, u := range filter.UserFilter {
		user := u.Object
		if u.Relation != "" {
			user += "#" + u.Relation
		}
		args = append(args, user)
		users = append(users, "?")
	}
	query := "SELECT object_type, object_id, relation, _user, condition_name FROM tuple " +
		"WHERE store = ? AND object_type = ? AND relation = ? AND _user IN (" + strings.Join(users, ",") + ")"
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return &sqlTupleIterator{rows: rows}, nil
}

type sqlTupleIterator struct {
	rows *sql.Rows
}

func (it *sqlTupleIterator) Next(ctx context.Context) (*TupleKey, error) {
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if !it.rows.Next() {
		if err := it.rows.Err(); err != nil {
			return nil, err
		}
		return nil, ErrIteratorDone
	}
	var objectType, objectID string
	var condition sql.NullString
	tk := &TupleKey{}
	if err := it.rows.Scan(&objectType, &objectID, &tk.Relation, &tk.User, &condition); err != nil {
		return nil, err
	}
	tk.Object = objectType + ":" + objectID
	tk.Condition = condition.String
	return tk, nil
}

func (it *sqlTupleIterator) Stop() { _ = it.rows.Close() }

// errorIterator mirrors iterator.Error.
type errorIterator struct{ err error }

func (e errorIterator) Next(context.Context) (*TupleKey, error) { return nil, e.err }
func (e errorIterator) Stop()                                   {}

// tupleKeyIterator mirrors storage.NewTupleKeyIteratorFromTupleIterator.
type tupleKeyIterator struct{ it TupleIterator }

func (t *tupleKeyIterator) Next(ctx context.Context) (*TupleKey, error) { return t.it.Next(ctx) }
func (t *tupleKeyIterator) Stop()                                       { t.it.Stop() }

// validatingIterator mirrors iterator.Validate: invalid tuples are skipped.
type validatingIterator struct {
	base      TupleKeyIterator
	validator func(*TupleKey) (bool, error)
}

func (v *validatingIterator) Next(ctx context.Context) (*TupleKey, error) {
	for {
		t, err := v.base.Next(ctx)
		if err != nil {
			return nil, err
		}
		ok, err := v.validator(t)
		if err != nil {
			return nil, err
		}
		if ok {
			return t, nil
		}
	}
}

func (v *validatingIterator) Stop() { v.base.Stop() }
