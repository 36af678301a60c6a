// Recall case sc-go-ethlibs-transportctx
// Source: github.com/INFURA/go-ethlibs commit 1e369ff6c600457640beca96d441c36e3778a186 (node/loop.go)
// Link: https://github.com/INFURA/go-ethlibs/commit/1e369ff6c600457640beca96d441c36e3778a186
// Bug: When the transport's own context t.ctx is done, Request wraps the caller's ctx.Err() (still nil) with a pkg/errors-style Wrap that returns nil for a nil error, so the transport cancellation is swallowed and Request returns (nil, nil) as if it succeeded.
// Fix: Wrap t.ctx.Err() (the context that actually finished) in the three t.ctx.Done() branches.
// Rule: swallowcancel
package node

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
)

// wrap mirrors github.com/pkg/errors.Wrap: it returns nil when err is nil.
func wrap(err error, message string) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", message, err)
}

type Request struct {
	ID     uint64          `json:"id"`
	Method string          `json:"method"`
	Params json.RawMessage `json:"params"`
}

type RawResponse struct {
	ID     uint64          `json:"id"`
	Result json.RawMessage `json:"result"`
}

type outboundRequest struct {
	request     *Request
	chResult    chan *RawResponse
	chError     chan error
	chAbandoned chan struct{}
}

type loopingTransport struct {
	ctx                context.Context
	conn               net.Conn
	chOutboundRequests chan *outboundRequest
}

func newLoopingTransport(ctx context.Context, conn net.Conn) *loopingTransport {
	t := &loopingTransport{
		ctx:                ctx,
		conn:               conn,
		chOutboundRequests: make(chan *outboundRequest),
	}
	go t.loop()
	return t
}

func (t *loopingTransport) loop() {
	defer t.conn.Close()
	dec := json.NewDecoder(t.conn)
	enc := json.NewEncoder(t.conn)
	for {
		select {
		case <-t.ctx.Done():
			return
		case out := <-t.chOutboundRequests:
			if err := enc.Encode(out.request); err != nil {
				select {
				case out.chError <- err:
				case <-out.chAbandoned:
				}
				continue
			}
			var resp RawResponse
			if err := dec.Decode(&resp); err != nil {
				select {
				case out.chError <- err:
				case <-out.chAbandoned:
				}
				continue
			}
			select {
			case out.chResult <- &resp:
			case <-out.chAbandoned:
			}
		}
	}
}

func (t *loopingTransport) Request(ctx context.Context, r *Request) (*RawResponse, error) {
	select {
	case <-t.ctx.Done():
		return nil, wrap(t.ctx.Err(), "transport context finished")
	default:
		// transport context is still valid, we can process this request
	}

	owned := *r
	outbound := &outboundRequest{
		request:     &owned,
		chResult:    make(chan *RawResponse),
		chError:     make(chan error),
		chAbandoned: make(chan struct{}),
	}

	defer func() {
		close(outbound.chAbandoned)
	}()

	select {
	case t.chOutboundRequests <- outbound:
		// outbound request sent
	case <-t.ctx.Done():
		return nil, wrap(t.ctx.Err(), "transport context finished waiting for response")
	case <-ctx.Done():
		return nil, wrap(ctx.Err(), "context finished waiting for response")
	}

	select {
	case response := <-outbound.chResult:
		return response, nil
	case err := <-outbound.chError:
		return nil, err
	case <-t.ctx.Done():
		return nil, wrap(t.ctx.Err(), "transport context finished waiting for response")
	case <-ctx.Done():
		return nil, wrap(ctx.Err(), "context finished waiting for response")
	}
}
