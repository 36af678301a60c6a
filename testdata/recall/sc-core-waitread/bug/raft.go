// Recall case sc-core-waitread
// Source: github.com/chain/Core commit a0b02f438ce96bcad09e3aaf7777fc81270fcdc5 (net/raft/raft.go)
// Link: https://github.com/chain/Core/commit/a0b02f438ce96bcad09e3aaf7777fc81270fcdc5
// Bug: WaitRead retries forever whenever waitRead returns a timeout (context.DeadlineExceeded); because waitRead derives its per-attempt deadline from the caller's ctx, an expired/cancelled caller ctx is also reported as DeadlineExceeded and is swallowed by the `continue`, so WaitRead never returns the caller's context error.
// Fix: after a timeout error, WaitRead checks ctx.Err() and returns the caller's context error instead of retrying.
// Rule: swallowcancel
package raft

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/http"
	"sync"
	"time"
)

const (
	tickDur      = 100 * time.Millisecond
	electionTick = 10
)

// ErrUninitialized is returned when the Service is not yet connected
// to any cluster.
var ErrUninitialized = errors.New("no raft cluster configured")

// raftNode is the part of the raft node used for linearizable reads.
type raftNode interface {
	// ReadIndex asks the leader for the current commit index; the answer
	// is delivered asynchronously to the service's main loop.
	ReadIndex(ctx context.Context, rctx []byte) error
}

// httpLeader sends read-index requests to the current raft leader over HTTP.
type httpLeader struct {
	client  *http.Client
	addr    string
	readyCh chan<- readState
}

type readState struct {
	rctx  []byte
	index uint64
}

func (l *httpLeader) ReadIndex(ctx context.Context, rctx []byte) error {
	req, err := http.NewRequestWithContext(ctx, "POST", "http://"+l.addr+"/raft/readindex", bytes.NewReader(rctx))
	if err != nil {
		return err
	}
	resp, err := l.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if len(b) < 8 {
		return errors.New("short read index response")
	}
	l.readyCh <- readState{rctx: rctx, index: binary.BigEndian.Uint64(b)}
	return nil
}

// rctxReq is a "read context" request.
type rctxReq struct {
	rctx  []byte
	index chan uint64
}

// Service performs raft coordination.
type Service struct {
	raftNode raftNode
	rctxReq  chan rctxReq
	readyCh  chan readState

	stateMu   sync.Mutex
	stateCond sync.Cond
	applied   uint64
	init      bool
}

func (sv *Service) initialized() bool {
	sv.stateMu.Lock()
	defer sv.stateMu.Unlock()
	return sv.init
}

// WaitRead waits for a linearizable read. Upon successful return,
// subsequent reads will observe all writes that happened before the
// call to WaitRead.
func (sv *Service) WaitRead(ctx context.Context) error {
	if !sv.initialized() {
		return ErrUninitialized
	}

	for {
		err := sv.waitRead(ctx)
		if isTimeout(err) {
			continue
		}
		return err
	}
}

// runUpdates is the service's main loop: it matches read-index answers
// to pending read requests.
func (sv *Service) runUpdates() {
	rdIndices := make(map[string]chan uint64)
	for {
		select {
		case req := <-sv.rctxReq:
			if req.index == nil {
				delete(rdIndices, string(req.rctx))
			} else {
				rdIndices[string(req.rctx)] = req.index
			}
		case rs := <-sv.readyCh:
			if ch, ok := rdIndices[string(rs.rctx)]; ok {
				ch <- rs.index
				delete(rdIndices, string(rs.rctx))
			}
		}
	}
}

func (sv *Service) waitRead(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, electionTick*tickDur)
	defer cancel()
	rctx := randID()
	req := rctxReq{rctx: rctx, index: make(chan uint64, 1)}
	select {
	case sv.rctxReq <- req:
	case <-ctx.Done():
		return ctx.Err()
	}
	err := sv.raftNode.ReadIndex(ctx, rctx)
	if err != nil {
		// Tell the main loop to delete this read request entry.
		select {
		case sv.rctxReq <- rctxReq{rctx: rctx}:
		case <-ctx.Done():
		}
		return err
	}

	select {
	case idx := <-req.index:
		sv.wait(idx)
	case <-ctx.Done():
		return ctx.Err()
	}
	return nil
}

func randID() []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, uint64(time.Now().UnixNano()))
	return b
}

func (sv *Service) wait(index uint64) {
	sv.stateMu.Lock()
	defer sv.stateMu.Unlock()
	for sv.applied < index {
		sv.stateCond.Wait()
	}
}

func isTimeout(err error) bool {
	if err, ok := err.(net.Error); ok && err.Timeout() {
		return true
	}

	return err == context.DeadlineExceeded
}
