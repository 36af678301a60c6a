// Recall case cc-mongo-cursorall
// Source: github.com/mongodb/mongo-go-driver commit 8f23bf48c0f314df27b228e6210d08757da2d789 (mongo/cursor.go)
// Link: https://github.com/mongodb/mongo-go-driver/commit/8f23bf48c0f314df27b228e6210d08757da2d789
// Bug: Cursor.All defers c.Close(ctx) with the caller ctx, so when All fails because that ctx was cancelled/expired (getMore error), the deferred Close -> BatchCursor.KillCursor runs with the already-cancelled ctx and the server-side cursor is never killed.
// Fix: defer c.Close(context.Background()) so the killCursors cleanup can complete even if the ctx passed to All has errored.
// Rule: cleanupctx
package mongo

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
)

// batchCursor is the interface implemented by types that can provide batches of document results.
type batchCursor interface {
	ID() int64
	Next(context.Context) bool
	Batch() []json.RawMessage
	Err() error
	Close(context.Context) error
}

// Cursor is used to iterate over a stream of documents.
type Cursor struct {
	// Current contains the bytes of the current document.
	Current json.RawMessage

	bc    batchCursor
	batch []json.RawMessage
	err   error
}

func newCursor(bc batchCursor) *Cursor {
	return &Cursor{bc: bc}
}

func replaceErrors(err error) error { return err }

// Close closes this cursor. Next and TryNext must not be called after Close has been called.
func (c *Cursor) Close(ctx context.Context) error {
	return replaceErrors(c.bc.Close(ctx))
}

// All iterates the cursor and decodes each document into results. The results parameter must be a pointer to a slice.
// The slice pointed to by results will be completely overwritten. This method will close the cursor after retrieving
// all documents. If the cursor has been iterated, any previously iterated documents will not be included in results.
func (c *Cursor) All(ctx context.Context, results interface{}) error {
	resultsVal := reflect.ValueOf(results)
	if resultsVal.Kind() != reflect.Ptr {
		return fmt.Errorf("results argument must be a pointer to a slice, but was a %s", resultsVal.Kind())
	}

	sliceVal := resultsVal.Elem()
	if sliceVal.Kind() == reflect.Interface {
		sliceVal = sliceVal.Elem()
	}

	if sliceVal.Kind() != reflect.Slice {
		return fmt.Errorf("results argument must be a pointer to a slice, but was a pointer to %s", sliceVal.Kind())
	}

	elementType := sliceVal.Type().Elem()
	var index int
	var err error

	// Defer a call to Close to try to clean up the cursor server-side when all
	// documents have not been exhausted. Use context.Background() to ensure Close
	// completes even if the context passed to All has errored.
	defer c.Close(context.Background())

	batch := c.batch // exhaust the current batch before iterating the batch cursor
	for {
		sliceVal, index, err = c.addFromBatch(sliceVal, elementType, batch, index)
		if err != nil {
			return err
		}

		if !c.bc.Next(ctx) {
			break
		}

		batch = c.bc.Batch()
	}

	if err = replaceErrors(c.bc.Err()); err != nil {
		return err
	}

	resultsVal.Elem().Set(sliceVal.Slice(0, index))
	return nil
}

func (c *Cursor) addFromBatch(sliceVal reflect.Value, elemType reflect.Type, batch []json.RawMessage,
	index int) (reflect.Value, int, error) {

	for _, doc := range batch {
		if sliceVal.Len() == index {
			// slice is full
			newElem := reflect.New(elemType)
			sliceVal = reflect.Append(sliceVal, newElem.Elem())
			sliceVal = sliceVal.Slice(0, sliceVal.Cap())
		}

		currElem := sliceVal.Index(index).Addr().Interface()
		if err := json.Unmarshal(doc, currElem); err != nil {
			return sliceVal, index, err
		}

		index++
	}

	return sliceVal, index, nil
}
