// Recall case sc-openfga-pipelinestore
// Source: github.com/openfga/openfga commit ffdcf600cacc97a1e6997ddfe279e1a408c0ca7e (internal/listobjects/pipeline/store.go)
// Link: https://github.com/openfga/openfga/commit/ffdcf600cacc97a1e6997ddfe279e1a408c0ca7e
// Bug: TupleKeyItemReceiver.Recv treats ctx.Err() != nil as normal end-of-stream (returns false), and Recv/createIterator report datastore errors caused by cancellation without the context error, so ListObjects cannot tell a cancelled/short-circuited read from a complete one or from a real datastore failure.
// Fix: drop the ctx.Err() early return in Recv and errors.Join(ctx.Err(), err) into the iterator and datastore errors.
// Rule: swallowcancel
package pipeline

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
)

// Item represents a single result, carrying either a value or an error.
type Item struct {
	Value string
	Err   error
}

// Receiver is the receiving end of a pipeline stage.
type Receiver[T any] interface {
	Recv(ctx context.Context) (T, bool)
}

// ObjectQuery describes a storage read for one edge.
type ObjectQuery struct {
	ObjectType string
	Relation   string
	Users      []string
	Conditions []string
}

// ObjectStore is implemented by ValidatingStore.
type ObjectStore interface {
	Read(ctx context.Context, q ObjectQuery) Receiver[Item]
}

// Edge is the part of the weighted graph edge used by directEdgeHandler.
type Edge struct {
	RelationDefinition string
	ToLabel            string
	Conditions         []string
}

// directEdgeHandler queries objects via the edge's relation definition.
type directEdgeHandler struct {
	reader ObjectStore
}

// Handle queries storage for objects related to the given items through
// the edge's relation definition.
func (h *directEdgeHandler) Handle(
	ctx context.Context,
	edge *Edge,
	objects []string,
) Receiver[Item] {
	nodeType, nodeRelation, _ := strings.Cut(edge.RelationDefinition, "#")

	_, userRelation, exists := strings.Cut(edge.ToLabel, "#")

	if exists {
		mutated := make([]string, len(objects))
		for i, obj := range objects {
			obj += "#" + userRelation
			mutated[i] = obj
		}
		objects = mutated
	}

	input := ObjectQuery{
		ObjectType: nodeType,
		Relation:   nodeRelation,
		Users:      objects,
		Conditions: edge.Conditions,
	}
	return h.reader.Read(ctx, input)
}

// StoreOption configures a [ValidatingStore].
type StoreOption func(o *ValidatingStore)

// NewValidatingStore returns a ValidatingStore that queries store for relationship tuples.
func NewValidatingStore(
	store RelationshipTupleReader,
	storeID string,
	opts ...StoreOption,
) *ValidatingStore {
	r := &ValidatingStore{store: store, storeID: storeID}
	for _, opt := range opts {
		opt(r)
	}
	return r
}

// WithStoreValidator sets a function that filters tuples during iteration.
func WithStoreValidator(fn func(*TupleKey) (bool, error)) StoreOption {
	return func(r *ValidatingStore) {
		r.validator = fn
	}
}

// ValidatingStore implements [ObjectStore] by querying a [RelationshipTupleReader]
// and optionally filtering results through a validator.
type ValidatingStore struct {
	store     RelationshipTupleReader
	storeID   string
	validator func(*TupleKey) (bool, error)
}

// createIterator queries the datastore for tuples matching the input parameters.
// Returns an error iterator if the query fails to preserve error information
// through the iterator interface.
func (r *ValidatingStore) createIterator(
	ctx context.Context,
	q ObjectQuery,
) TupleIterator {
	userFilter := make([]ObjectRelation, len(q.Users))

	for i, user := range q.Users {
		object, relation, _ := strings.Cut(user, "#")

		userFilter[i] = ObjectRelation{
			Object:   object,
			Relation: relation,
		}
	}

	it, err := r.store.ReadStartingWithUser(
		ctx,
		r.storeID,
		ReadStartingWithUserFilter{
			ObjectType: q.ObjectType,
			Relation:   q.Relation,
			UserFilter: userFilter,
			Conditions: q.Conditions,
		},
	)

	if err != nil {
		// The context error is a potential cause of the
		// datastore error; expose the context error.
		err = errors.Join(ctx.Err(), err)
		return errorIterator{fmt.Errorf("datastore: %w", err)}
	}
	return it
}

// applyValidator wraps the iterator with validation to filter invalid tuples.
func (r *ValidatingStore) applyValidator(it TupleIterator) TupleKeyIterator {
	var base TupleKeyIterator = &tupleKeyIterator{it}
	if r.validator != nil {
		base = &validatingIterator{base, r.validator}
	}
	return base
}

// TupleKeyItemReceiver adapts a [TupleKeyIterator] into a
// [Receiver] of [Item] values, extracting the object identifier from
// each tuple key.
type TupleKeyItemReceiver struct {
	itr    TupleKeyIterator
	closed atomic.Bool
}

// Recv returns the next object identifier from the underlying iterator.
// It returns false when the iterator is exhausted or closed.
func (r *TupleKeyItemReceiver) Recv(ctx context.Context) (Item, bool) {
	var item Item

	for {
		if r.closed.Load() {
			return item, false
		}
		t, err := r.itr.Next(ctx)

		if err != nil {
			defer r.Close()
			if errors.Is(err, ErrIteratorDone) {
				return item, false
			}

			// The context error is a potential cause of the
			// datastore error; expose the context error.
			err = errors.Join(ctx.Err(), err)
			item.Err = fmt.Errorf("iterator: %w", err)
			return item, true
		}

		if t == nil {
			continue
		}

		item.Value = t.Object
		return item, true
	}
}

// Close stops the underlying iterator. It is safe to call multiple times.
func (r *TupleKeyItemReceiver) Close() {
	if !r.closed.Swap(true) {
		r.itr.Stop()
	}
}

// Read queries storage for tuples matching q and returns the matching
// object identifiers as a streaming sequence.
func (r *ValidatingStore) Read(
	ctx context.Context,
	q ObjectQuery,
) Receiver[Item] {
	iterator := r.createIterator(ctx, q)
	filtered := r.applyValidator(iterator)
	return &TupleKeyItemReceiver{
		itr: filtered,
	}
}
