// Recall case sd-nsmsdk-livenesscheck
// Source: github.com/networkservicemesh/sdk commit 8d6762737896af0a01fefda67b7d8f9fe23c287d (pkg/networkservice/common/heal/eventloop.go)
// Link: https://github.com/networkservicemesh/sdk/commit/8d6762737896af0a01fefda67b7d8f9fe23c287d
// Bug: monitorDataPlane gives every data-plane liveness check a fresh budget from context.WithDeadline(context.Background(), now+livenessCheckTimeout), so a check in flight ignores cancellation of the chain context it runs under.
// Fix: The per-check deadline context is derived from cev.chainCtx (and the now-redundant chainCtx case is dropped from the select).
// Rule: sharedeadline
package heal

import (
	"context"
	"log"
	"os"
)

func newEventLoop(ctx context.Context, conn *Connection, heal *healClient, ev EventFactory, ctrlPlaneCh <-chan struct{}) context.CancelFunc {
	// Create new eventLoopCtx and store its eventLoopCancel
	eventLoopCtx, eventLoopCancel := context.WithCancel(ctx)

	cev := &eventLoop{
		heal:         heal,
		eventLoopCtx: eventLoopCtx,
		chainCtx:     ctx,
		conn:         conn,
		eventFactory: ev,
		ctrlPlaneCh:  ctrlPlaneCh,
		logger:       log.New(os.Stderr, "heal eventLoop: ", 0),
	}

	// Start the eventLoop
	go cev.eventLoop()
	return eventLoopCancel
}
