// Recall case sc-go-smb2-contexterror
// Source: github.com/CloudSoda/go-smb2 commit fc258e36e84b4a72f6c2038190fa34c84f16f925 (conn.go)
// Link: https://github.com/CloudSoda/go-smb2/commit/fc258e36e84b4a72f6c2038190fa34c84f16f925
// Bug: Every context error (send, recv, credit loan) is replaced by a custom &ContextError{Err: ctx.Err()} that has no Unwrap method, so callers checking errors.Is(err, context.Canceled/DeadlineExceeded) never see the cancellation.
// Fix: Remove ContextError and return ctx.Err() directly at every cancellation site.
// Rule: swallowcancel
package smb2

import (
	"context"
	"net"
	"sync"
)

// TransportError represents a error come from net.Conn layer.
type TransportError struct {
	Err error
}

func (err *TransportError) Error() string { return "connection error: " + err.Err.Error() }

type requestResponse struct {
	msgId uint64
	pkt   []byte
	ctx   context.Context
	recv  chan []byte
	err   error
}

type conn struct {
	t net.Conn

	m   sync.Mutex
	err error

	account *account

	outstanding   map[uint64]*requestResponse
	outstandingMu sync.Mutex
	nextMsgId     uint64

	write chan []byte
	werr  chan error
	wdone chan struct{}
}

func newConn(t net.Conn) *conn {
	c := &conn{
		t:           t,
		account:     openAccount(16),
		outstanding: make(map[uint64]*requestResponse),
		write:       make(chan []byte, 1),
		werr:        make(chan error, 1),
		wdone:       make(chan struct{}),
	}
	go c.runSender()
	return c
}

func (conn *conn) pop(msgId uint64) {
	conn.outstandingMu.Lock()
	delete(conn.outstanding, msgId)
	conn.outstandingMu.Unlock()
}

func (conn *conn) sendRecv(req []byte, ctx context.Context) ([]byte, error) {
	if _, _, err := conn.account.loan(1, ctx); err != nil {
		return nil, err
	}
	rr, err := conn.send(req, ctx)
	if err != nil {
		return nil, err
	}
	return conn.recv(rr)
}

func (conn *conn) send(req []byte, ctx context.Context) (rr *requestResponse, err error) {
	conn.m.Lock()
	defer conn.m.Unlock()

	if conn.err != nil {
		return nil, conn.err
	}

	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	default:
		// do nothing
	}

	rr = conn.makeRequestResponse(req, ctx)

	select {
	case conn.write <- rr.pkt:
		select {
		case err = <-conn.werr:
			if err != nil {
				conn.pop(rr.msgId)

				return nil, &TransportError{err}
			}
		case <-ctx.Done():
			conn.pop(rr.msgId)

			return nil, ctx.Err()
		}
	case <-ctx.Done():
		conn.pop(rr.msgId)

		return nil, ctx.Err()
	}

	return rr, nil
}

func (conn *conn) makeRequestResponse(req []byte, ctx context.Context) *requestResponse {
	msgId := conn.nextMsgId
	conn.nextMsgId++
	rr := &requestResponse{
		msgId: msgId,
		pkt:   append([]byte(nil), req...),
		ctx:   ctx,
		recv:  make(chan []byte, 1),
	}
	conn.outstandingMu.Lock()
	conn.outstanding[msgId] = rr
	conn.outstandingMu.Unlock()
	return rr
}

func (conn *conn) recv(rr *requestResponse) ([]byte, error) {
	select {
	case pkt := <-rr.recv:
		if rr.err != nil {
			return nil, rr.err
		}
		return pkt, nil
	case <-rr.ctx.Done():
		conn.pop(rr.msgId)

		return nil, rr.ctx.Err()
	}
}

func (conn *conn) runSender() {
	for {
		select {
		case <-conn.wdone:
			return
		case pkt := <-conn.write:
			_, err := conn.t.Write(pkt)

			conn.werr <- err
		}
	}
}
