// Recall case tl-openfga-directuserset
// Source: github.com/openfga/openfga commit 40e65ec854d8391d59b61cabe5dfb32aed647006 (server/commands/check.go)
// Link: https://github.com/openfga/openfga/commit/40e65ec854d8391d59b61cabe5dfb32aed647006
// Bug: in CheckQuery.resolveDirectUserSet the goroutines send their error result with a bare "c <- &chanResolveResult{...}" on an unbuffered channel; when resolveDirectUserSet has already returned (readUsersetTuples/iterator error, or user found), nobody reads c and the goroutine (plus the wg.Wait/close(c) goroutine) blocks forever.
// Fix: every send selects on the done channel that resolveDirectUserSet closes on return.
// Rule: timeoutleak
package commands

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
)

var (
	// AuthorizationModelResolutionTooComplex mirrors serverErrors.AuthorizationModelResolutionTooComplex.
	AuthorizationModelResolutionTooComplex = errors.New("authorization model resolution required too many rewrite rules to be resolved")
	// UnsupportedUserSet mirrors serverErrors.UnsupportedUserSet.
	UnsupportedUserSet = errors.New("unsupported userset type")
)

// HandleError mirrors serverErrors.HandleError.
func HandleError(public string, err error) error {
	return fmt.Errorf("internal server error %s: %w", public, err)
}

// Userset mirrors openfgapb.Userset restricted to "this" and computed usersets.
type Userset struct {
	This     bool
	Computed string
}

// CheckRequest mirrors openfgapb.CheckRequest.
type CheckRequest struct {
	StoreID string
	ModelID string
	Tuple   *TupleKey
}

// A CheckQuery can be used to Check if a User has a Relation to an Object.
type CheckQuery struct {
	datastore        Datastore
	resolveNodeLimit uint32
}

// Execute the query in checkRequest, returning whether the user is allowed.
func (query *CheckQuery) Execute(ctx context.Context, req *CheckRequest) (bool, error) {
	rc := newResolutionContext(req.StoreID, req.ModelID, req.Tuple)

	userset, err := query.getTypeDefinitionRelationUsersets(ctx, rc)
	if err != nil {
		return false, err
	}

	if err := query.resolveNode(ctx, rc, userset); err != nil {
		return false, err
	}

	return rc.userFound(), nil
}

func (query *CheckQuery) getTypeDefinitionRelationUsersets(ctx context.Context, rc *resolutionContext) (*Userset, error) {
	objectType, _, _ := strings.Cut(rc.tk.Object, ":")
	return query.datastore.ReadRelationUserset(ctx, rc.store, rc.modelID, objectType, rc.tk.Relation)
}

// resolveNode recursively resolves userset starting from a supplied UserTree node.
func (query *CheckQuery) resolveNode(ctx context.Context, rc *resolutionContext, nsUS *Userset) error {
	if rc.addResolve() >= query.resolveNodeLimit {
		return AuthorizationModelResolutionTooComplex
	}
	if rc.shouldShortCircuit() {
		return nil // short circuit subsequent operations
	}

	switch {
	case nsUS == nil, nsUS.This:
		return query.resolveDirectUserSet(ctx, rc)
	case nsUS.Computed != "":
		return query.resolveComputed(ctx, rc, nsUS.Computed)
	default:
		return UnsupportedUserSet
	}
}

func (query *CheckQuery) resolveComputed(ctx context.Context, rc *resolutionContext, relation string) error {
	computedTK := &TupleKey{Object: rc.tk.Object, Relation: relation, User: rc.tk.User}
	nestedRC := rc.fork(computedTK)
	userset, err := query.getTypeDefinitionRelationUsersets(ctx, nestedRC)
	if err != nil {
		return err
	}
	return query.resolveNode(ctx, nestedRC, userset)
}

type chanResolveResult struct {
	err   error
	found bool
}

// resolveDirectUserSet attempts to find individual user concurrently by resolving the usersets. If the user is found
// in the direct user search or in any of the usersets, the peer goroutines will be short-circuited.
func (query *CheckQuery) resolveDirectUserSet(ctx context.Context, rc *resolutionContext) error {
	done := make(chan struct{})
	defer close(done)

	var wg sync.WaitGroup
	c := make(chan *chanResolveResult)

	wg.Add(1)
	go func(c chan<- *chanResolveResult) {
		defer wg.Done()

		found := false
		tk, err := rc.readUserTuple(ctx, query.datastore)
		if err != nil {
			if errors.Is(err, ErrNotFound) {
				err = nil
			}
		}

		if tk != nil && err == nil {
			rc.users.Add(tk.User)
			found = true
		}
		select {
		case c <- &chanResolveResult{err: err, found: found}:
		case <-done:
		}
	}(c)

	iter, err := rc.readUsersetTuples(ctx, query.datastore)
	if err != nil {
		return HandleError("", err)
	}

	for {
		usersetTuple, err := iter.next()
		if err != nil {
			if err == TupleIteratorDone {
				break
			}
			return HandleError("", err)
		}

		// If a single star is available, then assume user exists and break.
		if usersetTuple.User == "*" {
			rc.users.Add(rc.targetUser)
			break
		}

		// Avoid launching more goroutines by checking if the user has been found in another goroutine.
		if rc.shouldShortCircuit() {
			break
		}

		userset := usersetTuple.User
		object, relation, _ := strings.Cut(userset, "#")
		tupleKey := &TupleKey{
			Object:   object,
			Relation: relation,
			User:     rc.tk.User,
		}
		nestedRC := rc.fork(tupleKey)

		wg.Add(1)
		go func(c chan<- *chanResolveResult) {
			defer wg.Done()

			userset, err := query.getTypeDefinitionRelationUsersets(ctx, nestedRC)
			if err == nil {
				err = query.resolveNode(ctx, nestedRC, userset)
			}

			select {
			case c <- &chanResolveResult{err: err, found: nestedRC.userFound()}:
			case <-done:
			}
		}(c)
	}

	// If any break was triggered, immediately release any possible resources held by the iterator.
	iter.stop()

	go func(c chan *chanResolveResult) {
		wg.Wait()
		close(c)
	}(c)

	for res := range c {
		if res.found {
			return nil
		}
		if res.err != nil {
			err = res.err
		}
	}

	return err
}
