// Recall case cc-mongo-cursorall
// Source: github.com/mongodb/mongo-go-driver commit 8f23bf48c0f314df27b228e6210d08757da2d789 (mongo/cursor.go)
// Link: https://github.com/mongodb/mongo-go-driver/commit/8f23bf48c0f314df27b228e6210d08757da2d789
// Bug: Cursor.All defers c.Close(ctx) with the caller ctx, so when All fails because that ctx was cancelled/expired (getMore error), the deferred Close -> BatchCursor.KillCursor runs with the already-cancelled ctx and the server-side cursor is never killed.
// Fix: defer c.Close(context.Background()) so the killCursors cleanup can complete even if the ctx passed to All has errored.
// Rule: cleanupctx
package mongo

// Minimal stand-in for go.mongodb.org/mongo-driver/x/mongo/driver.BatchCursor.

import (
	"context"
	"encoding/json"
)

// BatchCursor is a batch implementation of a cursor.
type BatchCursor struct {
	id           int64
	database     string
	collection   string
	deployment   Deployment
	batchSize    int32
	currentBatch []json.RawMessage
	firstBatch   bool
	err          error
}

// NewBatchCursor creates a BatchCursor from the first batch of a find/aggregate reply.
func NewBatchCursor(id int64, database, collection string, firstBatch []json.RawMessage, d Deployment, batchSize int32) *BatchCursor {
	return &BatchCursor{id: id, database: database, collection: collection, deployment: d,
		batchSize: batchSize, currentBatch: firstBatch, firstBatch: true}
}

// ID returns the cursor ID for this batch cursor.
func (bc *BatchCursor) ID() int64 { return bc.id }

// Next indicates if there is another batch available.
func (bc *BatchCursor) Next(ctx context.Context) bool {
	if bc.firstBatch {
		bc.firstBatch = false
		return len(bc.currentBatch) > 0
	}

	if bc.id == 0 || bc.deployment == nil {
		return false
	}

	bc.getMore(ctx)

	return len(bc.currentBatch) > 0
}

// Batch returns the current batch of documents.
func (bc *BatchCursor) Batch() []json.RawMessage { return bc.currentBatch }

// Err returns the latest error encountered.
func (bc *BatchCursor) Err() error { return bc.err }

// Close closes this batch cursor.
func (bc *BatchCursor) Close(ctx context.Context) error {
	err := bc.KillCursor(ctx)
	bc.id = 0
	bc.currentBatch = nil
	return err
}

// KillCursor kills cursor on server without closing batch cursor
func (bc *BatchCursor) KillCursor(ctx context.Context) error {
	if bc.deployment == nil || bc.id == 0 {
		return nil
	}

	return Operation{
		CommandFn: func(dst []byte) ([]byte, error) {
			cmd, err := json.Marshal(map[string]any{"killCursors": bc.collection, "cursors": []int64{bc.id}, "$db": bc.database})
			return append(dst, cmd...), err
		},
		Database:   bc.database,
		Deployment: bc.deployment,
	}.Execute(ctx)
}

func (bc *BatchCursor) getMore(ctx context.Context) {
	bc.currentBatch = nil
	if bc.id == 0 {
		return
	}

	bc.err = Operation{
		CommandFn: func(dst []byte) ([]byte, error) {
			cmd, err := json.Marshal(map[string]any{"getMore": bc.id, "collection": bc.collection, "batchSize": bc.batchSize, "$db": bc.database})
			return append(dst, cmd...), err
		},
		Database:   bc.database,
		Deployment: bc.deployment,
		ProcessResponseFn: func(response []byte) error {
			var reply struct {
				Cursor struct {
					ID        int64             `json:"id"`
					NextBatch []json.RawMessage `json:"nextBatch"`
				} `json:"cursor"`
			}
			if err := json.Unmarshal(response, &reply); err != nil {
				return err
			}
			bc.id = reply.Cursor.ID
			bc.currentBatch = reply.Cursor.NextBatch
			return nil
		},
	}.Execute(ctx)
}
