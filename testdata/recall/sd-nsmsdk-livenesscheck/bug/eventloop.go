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
	"net"
	"time"
)

// Connection is the reduced networkservice.Connection.
type Connection struct {
	Id   string
	Addr string
}

// LivenessCheck - a function that checks data plane liveness of conn within deadlineCtx.
type LivenessCheck func(deadlineCtx context.Context, conn *Connection) bool

// TCPLivenessCheck dials the remote data plane address within deadlineCtx.
func TCPLivenessCheck(deadlineCtx context.Context, conn *Connection) bool {
	var d net.Dialer
	c, err := d.DialContext(deadlineCtx, "tcp", conn.Addr)
	if err != nil {
		return false
	}
	_ = c.Close()
	return true
}

type healClient struct {
	chainCtx               context.Context
	dataPlaneLivenessCheck LivenessCheck
	livenessCheckInterval  time.Duration
	livenessCheckTimeout   time.Duration
}

// EventFactory is the reduced begin.EventFactory.
type EventFactory interface {
	Request(reselect bool) <-chan error
}

type eventLoop struct {
	heal         *healClient
	eventLoopCtx context.Context
	chainCtx     context.Context
	conn         *Connection
	eventFactory EventFactory
	ctrlPlaneCh  <-chan struct{}
	logger       *log.Logger
}

func (cev *eventLoop) eventLoop() {
	reselect := false

	livenessCheckCtx, livenessCheckCancel := context.WithCancel(context.Background())
	defer livenessCheckCancel()
	if cev.heal.dataPlaneLivenessCheck != nil {
		go func() {
			cev.monitorDataPlane()
			livenessCheckCancel()
		}()
	} else {
		// Since we don't know about data path status - always use reselect
		reselect = true
	}

	select {
	case _, ok := <-cev.ctrlPlaneCh:
		cev.logger.Printf("Control plane is down")
		if ok {
			// Connection closed
			return
		}
		// Start healing
	case <-livenessCheckCtx.Done():
		cev.logger.Printf("Data plane is down")
		reselect = true
		// Start healing
	case <-cev.chainCtx.Done():
		return
	case <-cev.eventLoopCtx.Done():
		return
	}

	/* Attempts to heal the connection */
	for {
		select {
		case <-cev.chainCtx.Done():
			return
		default:
			if cev.chainCtx.Err() != nil {
				return
			}
			if !reselect && livenessCheckCtx.Err() != nil {
				cev.logger.Printf("Data plane is down")
				reselect = true
			}
			if err := <-cev.eventFactory.Request(reselect); err == nil {
				return
			}
		}
	}
}

func (cev *eventLoop) monitorDataPlane() {
	ticker := time.NewTicker(cev.heal.livenessCheckInterval)
	defer ticker.Stop()
	for {
		select {
		case <-ticker.C:
			deadlineCtx, deadlineCancel := context.WithDeadline(context.Background(), time.Now().Add(cev.heal.livenessCheckTimeout))
			alive := cev.heal.dataPlaneLivenessCheck(deadlineCtx, cev.conn)
			deadlineCancel()

			if !alive {
				return
			}
		case <-cev.chainCtx.Done():
			return
		case <-cev.eventLoopCtx.Done():
			return
		}
	}
}
