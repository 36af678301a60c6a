// Recall case sd-psrpc-requestexpiry
// Source: github.com/livekit/psrpc commit 3724cb4adbc448ff9bfb1ee34f0df5dec678128a (pkg/client/options.go, pkg/client/rpc.go)
// Link: https://github.com/livekit/psrpc/commit/3724cb4adbc448ff9bfb1ee34f0df5dec678128a
// Bug: getRequestOpts always takes the fixed client Timeout (default 7s), ignoring the caller ctx deadline, so the request Expiry sent to servers and the per-request wait budget are computed from a fresh fixed duration instead of the caller's remaining time.
// Fix: getRequestOpts takes the ctx and caps Timeout at time.Until(ctx deadline), falling back to the default only when neither is set.
// Rule: sharedeadline
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand"
	"net/http"
	"sync"
	"time"
)

const DefaultClientTimeout = time.Second * 7

var (
	ErrRequestCanceled = errors.New("request canceled")
	ErrRequestTimedOut = errors.New("request timed out")
)

type ClientOpts struct {
	Timeout     time.Duration
	ChannelSize int
}

type RequestOpts struct {
	Timeout time.Duration
}

type RequestOption func(*RequestOpts)

type ClientOption func(*ClientOpts)

type RequestInfo struct {
	Service, Method, Topic string
}

func (i *RequestInfo) GetRPCChannel() string { return i.Service + "|" + i.Method + "|" + i.Topic }

type Request struct {
	RequestId  string
	ClientId   string
	SentAt     int64
	Expiry     int64
	RawRequest []byte
}

type Response struct {
	RequestId   string
	RawResponse []byte
	Error       string
}

// MessageBus stands in for bus.MessageBus; Publish posts the message over HTTP.
type MessageBus struct {
	http *http.Client
	url  string
}

func (b *MessageBus) Publish(ctx context.Context, channel string, msg any) error {
	body, err := json.Marshal(msg)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, b.url+"/"+channel, bytes.NewReader(body))
	if err != nil {
		return err
	}
	resp, err := b.http.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

type RPCClient struct {
	ClientOpts
	ID  string
	bus *MessageBus

	mu               sync.Mutex
	responseChannels map[string]chan *Response
}

func getClientOpts(opts ...ClientOption) ClientOpts {
	o := &ClientOpts{
		ChannelSize: 100,
	}
	for _, opt := range opts {
		opt(o)
	}
	return *o
}

func NewRPCClient(bus *MessageBus, opts ...ClientOption) *RPCClient {
	return &RPCClient{
		ClientOpts:       getClientOpts(opts...),
		ID:               fmt.Sprintf("CLI_%d", rand.Int63()),
		bus:              bus,
		responseChannels: map[string]chan *Response{},
	}
}

func getRequestOpts(ctx context.Context, i *RequestInfo, options ClientOpts, opts ...RequestOption) RequestOpts {
	o := &RequestOpts{
		Timeout: options.Timeout,
	}
	if deadline, ok := ctx.Deadline(); ok {
		if dt := time.Until(deadline); o.Timeout == 0 || o.Timeout > dt {
			o.Timeout = dt
		}
	}
	if o.Timeout == 0 {
		o.Timeout = DefaultClientTimeout
	}
	for _, opt := range opts {
		opt(o)
	}
	return *o
}

type ClientRPCHandler func(ctx context.Context, req []byte, opts ...RequestOption) ([]byte, error)

func newRPC(c *RPCClient, i *RequestInfo) ClientRPCHandler {
	return func(ctx context.Context, request []byte, opts ...RequestOption) (response []byte, err error) {
		o := getRequestOpts(ctx, i, c.ClientOpts, opts...)

		requestID := fmt.Sprintf("REQ_%d", rand.Int63())
		now := time.Now()
		req := &Request{
			RequestId:  requestID,
			ClientId:   c.ID,
			SentAt:     now.UnixNano(),
			Expiry:     now.Add(o.Timeout).UnixNano(),
			RawRequest: request,
		}

		resChan := make(chan *Response, 1)

		c.mu.Lock()
		c.responseChannels[requestID] = resChan
		c.mu.Unlock()

		defer func() {
			c.mu.Lock()
			delete(c.responseChannels, requestID)
			c.mu.Unlock()
		}()

		if err = c.bus.Publish(ctx, i.GetRPCChannel(), req); err != nil {
			return
		}

		ctx, cancel := context.WithTimeout(ctx, o.Timeout)
		defer cancel()

		select {
		case res := <-resChan:
			if res.Error != "" {
				err = errors.New(res.Error)
			} else {
				response = res.RawResponse
			}

		case <-ctx.Done():
			err = ctx.Err()
			if errors.Is(err, context.Canceled) {
				err = ErrRequestCanceled
			} else if errors.Is(err, context.DeadlineExceeded) {
				err = ErrRequestTimedOut
			}
		}

		return
	}
}

// RequestSingle sends a request and waits for a single response.
func RequestSingle(ctx context.Context, c *RPCClient, i *RequestInfo, request []byte, opts ...RequestOption) ([]byte, error) {
	return newRPC(c, i)(ctx, request, opts...)
}
