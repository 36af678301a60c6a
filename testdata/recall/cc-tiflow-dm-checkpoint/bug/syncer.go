// Recall case cc-tiflow-dm-checkpoint
// Source: github.com/pingcap/tiflow commit 330c88ddb778cada5185a2ea1786da1deba9c755 (syncer/checkpoint.go)
// Link: https://github.com/pingcap/tiflow/commit/330c88ddb778cada5185a2ea1786da1deba9c755   (pingcap/dm PR #1174)
// Bug: RemoteCheckPoint.DeleteTablePoint (called from Syncer.trackDDL for DROP TABLE with ec.tctx) runs the checkpoint DELETE on the syncer's run context, which the task cancels on pause/stop, so the final checkpoint update for an already-handled DDL fails with context canceled.
// Fix: DeleteTablePoint (and Clear/DeleteSchemaPoint/FlushPointsExcept) run the SQL on tctx.WithContext(context.Background()).WithTimeout(maxDMLConnectionDuration).
// Rule: cleanupctx
package syncer

import (
	"context"
	"time"
)

var maxDMLConnectionDuration, _ = time.ParseDuration("5m")

// DDLEvent is a parsed query event from the binlog stream.
type DDLEvent struct {
	DropTable bool
	Schema    string
	Table     string
}

type eventContext struct {
	tctx *Context
}

// Syncer can sync your MySQL data to another MySQL database.
type Syncer struct {
	tctx       *Context
	checkpoint *RemoteCheckPoint
}

// NewSyncer creates a syncer.
func NewSyncer(cp *RemoteCheckPoint) *Syncer {
	return &Syncer{tctx: Background(), checkpoint: cp}
}

// Run starts running for sync; ctx is cancelled by the subtask on pause/stop
// ("should cancel context from external").
func (s *Syncer) Run(ctx context.Context, events <-chan DDLEvent) error {
	tctx := s.tctx.WithContext(ctx)
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case ev, ok := <-events:
			if !ok {
				return nil
			}
			ec := eventContext{tctx: tctx}
			if err := s.handleQueryEvent(ev, ec); err != nil {
				return err
			}
		}
	}
}

func (s *Syncer) handleQueryEvent(ev DDLEvent, ec eventContext) error {
	return s.trackDDL(ev, ec)
}

// trackDDL updates the schema tracker and checkpoints for a DDL already routed downstream.
func (s *Syncer) trackDDL(ev DDLEvent, ec eventContext) error {
	if ev.DropTable {
		if err := s.checkpoint.DeleteTablePoint(ec.tctx, ev.Schema, ev.Table); err != nil {
			return err
		}
	}
	return nil
}
