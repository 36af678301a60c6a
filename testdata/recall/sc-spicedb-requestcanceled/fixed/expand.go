// Recall case sc-spicedb-requestcanceled
// Source: github.com/authzed/spicedb commit 99534e21de209ad795960f105a10b2609800f4d6 (internal/graph/expand.go, internal/graph/errors.go)
// Link: https://github.com/authzed/spicedb/commit/99534e21de209ad795960f105a10b2609800f4d6
// Bug: when ctx is done, expandOne and expandSetOperation return NewRequestCanceledErr() (a fresh errors.New("request canceled")) instead of the context error, so callers cannot recognise context.Canceled/DeadlineExceeded and treat it as an unexpected graph error.
// Fix: return context.Canceled in the ctx.Done() branches and delete ErrRequestCanceled.
// Rule: swallowcancel
package graph

import (
	"context"
	"errors"
	"fmt"
)

// Ellipsis relation is used to signify a semantic-free relationship.
const Ellipsis = "..."

// ObjectAndRelation mirrors core.ObjectAndRelation.
type ObjectAndRelation struct {
	Namespace string
	ObjectId  string
	Relation  string
}

// TreeNode mirrors core.RelationTupleTreeNode (leaf or intermediate).
type TreeNode struct {
	Expanded   *ObjectAndRelation
	Subjects   []*ObjectAndRelation
	Operation  string
	ChildNodes []*TreeNode
}

// ExpandRequest mirrors v1.DispatchExpandRequest.
type ExpandRequest struct {
	ResourceAndRelation *ObjectAndRelation
	DepthRemaining      uint32
	Shallow             bool
}

// ExpandResponse mirrors v1.DispatchExpandResponse.
type ExpandResponse struct {
	DispatchCount uint32
	TreeNode      *TreeNode
}

// ExpandResult is the data that is returned by a single expand or sub-expand.
type ExpandResult struct {
	Resp *ExpandResponse
	Err  error
}

// ReduceableExpandFunc is a function that can be bound to a execution context.
type ReduceableExpandFunc func(ctx context.Context, resultChan chan<- ExpandResult)

// Dispatcher mirrors dispatch.Expand.
type Dispatcher interface {
	DispatchExpand(ctx context.Context, req *ExpandRequest) (*ExpandResponse, error)
}

// ConcurrentExpander exposes a method to perform Expand requests, and delegates subproblems to the
// provided dispatch.Expand instance.
type ConcurrentExpander struct {
	d  Dispatcher
	ds Reader
}

// ValidatedExpandRequest represents a request after it has been validated.
type ValidatedExpandRequest struct {
	*ExpandRequest
	Revision string
}

// Expand performs an expand request with the provided request and context.
func (ce *ConcurrentExpander) Expand(ctx context.Context, req ValidatedExpandRequest, unionOf []string) (*ExpandResponse, error) {
	var directFunc ReduceableExpandFunc
	if len(unionOf) == 0 {
		directFunc = ce.expandDirect(ctx, req)
	} else {
		directFunc = ce.expandUnion(ctx, req, unionOf)
	}

	resolved := expandOne(ctx, directFunc)
	resolved.Resp.DispatchCount++
	return resolved.Resp, resolved.Err
}

func (ce *ConcurrentExpander) expandDirect(
	ctx context.Context,
	req ValidatedExpandRequest,
) ReduceableExpandFunc {
	return func(ctx context.Context, resultChan chan<- ExpandResult) {
		it, err := ce.ds.QueryRelationships(ctx, RelationshipsFilter{
			ResourceType:             req.ResourceAndRelation.Namespace,
			OptionalResourceIds:      []string{req.ResourceAndRelation.ObjectId},
			OptionalResourceRelation: req.ResourceAndRelation.Relation,
		}, req.Revision)
		if err != nil {
			resultChan <- expandResultError(NewExpansionFailureErr(err))
			return
		}
		defer it.Close()

		var foundNonTerminalUsersets []*ObjectAndRelation
		var foundTerminalUsersets []*ObjectAndRelation
		for tpl := it.Next(); tpl != nil; tpl = it.Next() {
			if tpl.Subject.Relation == Ellipsis {
				foundTerminalUsersets = append(foundTerminalUsersets, tpl.Subject)
			} else {
				foundNonTerminalUsersets = append(foundNonTerminalUsersets, tpl.Subject)
			}
		}
		if it.Err() != nil {
			resultChan <- expandResultError(NewExpansionFailureErr(it.Err()))
			return
		}
		it.Close()

		// If only shallow expansion was required, or there are no non-terminal subjects found,
		// nothing more to do.
		if req.Shallow || len(foundNonTerminalUsersets) == 0 {
			resultChan <- expandResult(&TreeNode{
				Expanded: req.ResourceAndRelation,
				Subjects: append(foundTerminalUsersets, foundNonTerminalUsersets...),
			})
			return
		}

		// Otherwise, recursively issue expansion and collect the results from that, plus the
		// found terminals together.
		var requestsToDispatch []ReduceableExpandFunc
		for _, nonTerminalUser := range foundNonTerminalUsersets {
			requestsToDispatch = append(requestsToDispatch, ce.dispatch(ValidatedExpandRequest{
				&ExpandRequest{
					ResourceAndRelation: nonTerminalUser,
					DepthRemaining:      req.DepthRemaining - 1,
					Shallow:             req.Shallow,
				},
				req.Revision,
			}))
		}

		result := expandAny(ctx, req.ResourceAndRelation, requestsToDispatch)
		if result.Err != nil {
			resultChan <- result
			return
		}

		unionNode := result.Resp.TreeNode
		unionNode.ChildNodes = append(unionNode.ChildNodes, &TreeNode{
			Expanded: req.ResourceAndRelation,
			Subjects: append(foundTerminalUsersets, foundNonTerminalUsersets...),
		})
		resultChan <- result
	}
}

// expandUnion mirrors expandUsersetRewrite/expandSetOperation for a union of computed usersets.
func (ce *ConcurrentExpander) expandUnion(ctx context.Context, req ValidatedExpandRequest, relations []string) ReduceableExpandFunc {
	var requests []ReduceableExpandFunc
	for _, rel := range relations {
		requests = append(requests, ce.dispatch(ValidatedExpandRequest{
			&ExpandRequest{
				ResourceAndRelation: &ObjectAndRelation{
					Namespace: req.ResourceAndRelation.Namespace,
					ObjectId:  req.ResourceAndRelation.ObjectId,
					Relation:  rel,
				},
				DepthRemaining: req.DepthRemaining - 1,
				Shallow:        req.Shallow,
			},
			req.Revision,
		}))
	}
	return func(ctx context.Context, resultChan chan<- ExpandResult) {
		resultChan <- expandAny(ctx, req.ResourceAndRelation, requests)
	}
}

func (ce *ConcurrentExpander) dispatch(req ValidatedExpandRequest) ReduceableExpandFunc {
	return func(ctx context.Context, resultChan chan<- ExpandResult) {
		result, err := ce.d.DispatchExpand(ctx, req.ExpandRequest)
		resultChan <- ExpandResult{result, err}
	}
}

func setResult(op string, start *ObjectAndRelation, children []*TreeNode, dispatchCount uint32) ExpandResult {
	return ExpandResult{
		&ExpandResponse{
			DispatchCount: dispatchCount,
			TreeNode: &TreeNode{
				Operation:  op,
				ChildNodes: children,
				Expanded:   start,
			},
		},
		nil,
	}
}

func expandSetOperation(
	ctx context.Context,
	start *ObjectAndRelation,
	requests []ReduceableExpandFunc,
	op string,
) ExpandResult {
	children := make([]*TreeNode, 0, len(requests))

	if len(requests) == 0 {
		return setResult(op, start, children, 0)
	}

	childCtx, cancelFn := context.WithCancel(ctx)
	defer cancelFn()

	resultChans := make([]chan ExpandResult, 0, len(requests))
	for _, req := range requests {
		resultChan := make(chan ExpandResult, 1)
		resultChans = append(resultChans, resultChan)
		go req(childCtx, resultChan)
	}

	var dispatchCount uint32
	for _, resultChan := range resultChans {
		select {
		case result := <-resultChan:
			dispatchCount += result.Resp.DispatchCount
			if result.Err != nil {
				return expandResultError(result.Err)
			}
			children = append(children, result.Resp.TreeNode)
		case <-ctx.Done():
			return expandResultError(context.Canceled)
		}
	}

	return setResult(op, start, children, dispatchCount)
}

// expandAny returns a tree with all of the children and a union node type.
func expandAny(ctx context.Context, start *ObjectAndRelation, requests []ReduceableExpandFunc) ExpandResult {
	return expandSetOperation(ctx, start, requests, "union")
}

// expandOne waits for exactly one response
func expandOne(ctx context.Context, request ReduceableExpandFunc) ExpandResult {
	resultChan := make(chan ExpandResult, 1)
	go request(ctx, resultChan)

	select {
	case result := <-resultChan:
		if result.Err != nil {
			return result
		}
		return result
	case <-ctx.Done():
		return expandResultError(context.Canceled)
	}
}

func expandResult(treeNode *TreeNode) ExpandResult {
	return ExpandResult{&ExpandResponse{TreeNode: treeNode}, nil}
}

func expandResultError(err error) ExpandResult {
	return ExpandResult{&ExpandResponse{}, err}
}

// localDispatcher mirrors dispatch/graph.localDispatcher.DispatchExpand.
type localDispatcher struct {
	expander *ConcurrentExpander
	revision string
	schema   map[string][]string // relation -> union of relations
}

var errMaxDepth = errors.New("max depth exceeded: this usually indicates a recursive or too deep data dependency")

// DispatchExpand implements Dispatcher.
func (ld *localDispatcher) DispatchExpand(ctx context.Context, req *ExpandRequest) (*ExpandResponse, error) {
	if req.DepthRemaining == 0 {
		return &ExpandResponse{}, errMaxDepth
	}
	unionOf := ld.schema[req.ResourceAndRelation.Namespace+"#"+req.ResourceAndRelation.Relation]
	return ld.expander.Expand(ctx, ValidatedExpandRequest{
		ExpandRequest: req,
		Revision:      ld.revision,
	}, unionOf)
}

// NewExpansionFailureErr mirrors graph.NewExpansionFailureErr.
func NewExpansionFailureErr(baseErr error) error {
	return ErrExpansionFailure{fmt.Errorf("error performing expand: %w", baseErr)}
}

// ErrExpansionFailure occurs when expansion failed in some manner.
type ErrExpansionFailure struct{ error }

func (e ErrExpansionFailure) Unwrap() error { return e.error }
