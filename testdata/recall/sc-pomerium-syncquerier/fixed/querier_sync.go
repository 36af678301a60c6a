// Recall case sc-pomerium-syncquerier
// Source: github.com/pomerium/pomerium commit b2a86913b441b842639fdadf3bcef416f923bf10 (pkg/storage/querier_sync.go)
// Link: https://github.com/pomerium/pomerium/commit/b2a86913b441b842639fdadf3bcef416f923bf10
// Bug: syncQuerier.run retries q.syncLatest/q.sync under backoff.RetryNotify even when they fail with codes.Canceled, so a cancelled sync is retried forever instead of ending the loop.
// Fix: a codes.Canceled error from syncLatest or sync is returned as backoff.Permanent(err), which stops the retry loop.
// Rule: swallowcancel
package storage

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"sync"
	"time"
)

// Record is the (reduced) databroker.Record.
type Record struct {
	Type    string `json:"type"`
	ID      string `json:"id"`
	Version uint64 `json:"version"`
}

// Versions is the (reduced) databroker.Versions.
type Versions struct {
	ServerVersion       uint64 `json:"serverVersion"`
	LatestRecordVersion uint64 `json:"latestRecordVersion"`
}

type syncQuerier struct {
	client     *dataBrokerClient
	recordType string

	cancel context.CancelFunc

	mu                   sync.RWMutex
	ready                bool
	records              map[string]*Record
	serverVersion        uint64
	minimumRecordVersion uint64
	latestRecordVersion  uint64
}

// NewSyncQuerier creates a new Querier backed by an in-memory record collection
// filled via sync calls to the databroker.
func NewSyncQuerier(
	client *dataBrokerClient,
	recordType string,
) *syncQuerier {
	q := &syncQuerier{
		client:     client,
		recordType: recordType,
		records:    map[string]*Record{},
	}

	ctx, cancel := context.WithCancel(context.Background())
	q.cancel = cancel
	go q.run(ctx)

	return q
}

func (q *syncQuerier) Stop() {
	q.cancel()
}

func (q *syncQuerier) run(ctx context.Context) {
	bo := backoffWithContext(newExponentialBackOff(), ctx)
	_ = retryNotify(func() error {
		if q.serverVersion == 0 {
			err := q.syncLatest(ctx)
			if err != nil {
				if statusCode(err) == codeCanceled {
					return permanent(err)
				}
				return err
			}
		}

		err := q.sync(ctx)
		if statusCode(err) == codeCanceled {
			return permanent(err)
		}
		return err
	}, bo, func(err error, d time.Duration) {
		log.Printf("storage/sync-querier: error syncing records (delay %s): %v", d, err)
	})
}

func (q *syncQuerier) syncLatest(ctx context.Context) error {
	stream, err := q.client.SyncLatest(ctx, q.recordType)
	if err != nil {
		return fmt.Errorf("error starting sync latest stream: %w", err)
	}
	defer stream.Close()

	q.mu.Lock()
	q.ready = false
	q.records = map[string]*Record{}
	q.mu.Unlock()

	for {
		res, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return fmt.Errorf("error receiving sync latest message: %w", err)
		}

		switch {
		case res.Record != nil:
			q.mu.Lock()
			q.records[res.Record.ID] = res.Record
			q.mu.Unlock()
		case res.Versions != nil:
			q.mu.Lock()
			q.serverVersion = res.Versions.ServerVersion
			q.latestRecordVersion = res.Versions.LatestRecordVersion
			q.mu.Unlock()
		default:
			return fmt.Errorf("unknown message type from sync latest")
		}
	}

	q.mu.Lock()
	log.Printf("storage/sync-querier: synced latest records type=%s count=%d", q.recordType, len(q.records))
	q.ready = true
	q.mu.Unlock()

	return nil
}

func (q *syncQuerier) sync(ctx context.Context) error {
	q.mu.RLock()
	serverVersion, recordVersion := q.serverVersion, q.latestRecordVersion
	q.mu.RUnlock()

	stream, err := q.client.Sync(ctx, q.recordType, serverVersion, recordVersion)
	if err != nil {
		return fmt.Errorf("error starting sync stream: %w", err)
	}
	defer stream.Close()

	for {
		res, err := stream.Recv()
		if statusCode(err) == codeAborted {
			// this indicates the server version changed, so we need to reset
			q.mu.Lock()
			q.serverVersion = 0
			q.latestRecordVersion = 0
			q.minimumRecordVersion = 0
			q.mu.Unlock()
			return fmt.Errorf("stream was aborted due to mismatched server versions: %w", err)
		} else if err != nil {
			return fmt.Errorf("error receiving sync message: %w", err)
		}
		if res.Record == nil {
			continue
		}

		q.mu.Lock()
		q.latestRecordVersion = max(q.latestRecordVersion, res.Record.Version)
		q.records[res.Record.ID] = res.Record
		q.mu.Unlock()
	}
}

// --- stubs for grpc status/codes ---

type code int

const (
	codeOK               code = 0
	codeCanceled         code = 1
	codeUnknown          code = 2
	codeDeadlineExceeded code = 4
	codeAborted          code = 10
)

type statusError struct {
	code code
	msg  string
	err  error // underlying cause, kept so errors.Is/As still see it
}

func (e *statusError) Error() string {
	return fmt.Sprintf("rpc error: code = %d desc = %s", e.code, e.msg)
}
func (e *statusError) Unwrap() error { return e.err }

// statusCode mirrors status.Code: it unwraps to a status error, nil is OK, anything else Unknown.
func statusCode(err error) code {
	if err == nil {
		return codeOK
	}
	var se *statusError
	if errors.As(err, &se) {
		return se.code
	}
	return codeUnknown
}

// fromContextError mirrors status.FromContextError, used by grpc-go when a call's ctx ends.
func fromContextError(err error) error {
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return &statusError{code: codeDeadlineExceeded, msg: err.Error(), err: err}
	case errors.Is(err, context.Canceled):
		return &statusError{code: codeCanceled, msg: err.Error(), err: err}
	default:
		return &statusError{code: codeUnknown, msg: err.Error(), err: err}
	}
}

// --- stub for the databroker gRPC client: server streams carried as NDJSON over HTTP ---

type dataBrokerClient struct {
	httpClient *http.Client
	baseURL    string
}

type syncMessage struct {
	Record   *Record   `json:"record,omitempty"`
	Versions *Versions `json:"versions,omitempty"`
	Code     code      `json:"code,omitempty"`
	Message  string    `json:"message,omitempty"`
}

type syncStream struct {
	ctx  context.Context
	body io.ReadCloser
	sc   *bufio.Scanner
}

func (c *dataBrokerClient) SyncLatest(ctx context.Context, recordType string) (*syncStream, error) {
	return c.open(ctx, "/databroker.DataBrokerService/SyncLatest", map[string]any{"type": recordType})
}

func (c *dataBrokerClient) Sync(ctx context.Context, recordType string, serverVersion, recordVersion uint64) (*syncStream, error) {
	return c.open(ctx, "/databroker.DataBrokerService/Sync", map[string]any{
		"type": recordType, "serverVersion": serverVersion, "recordVersion": recordVersion,
	})
}

func (c *dataBrokerClient) open(ctx context.Context, method string, in any) (*syncStream, error) {
	body, err := json.Marshal(in)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.baseURL+method, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	resp, err := c.httpClient.Do(req)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, fromContextError(ctxErr)
		}
		return nil, &statusError{code: codeUnknown, msg: err.Error(), err: err}
	}
	return &syncStream{ctx: ctx, body: resp.Body, sc: bufio.NewScanner(resp.Body)}, nil
}

func (s *syncStream) Recv() (*syncMessage, error) {
	if !s.sc.Scan() {
		if ctxErr := s.ctx.Err(); ctxErr != nil {
			return nil, fromContextError(ctxErr)
		}
		if err := s.sc.Err(); err != nil {
			return nil, &statusError{code: codeUnknown, msg: err.Error(), err: err}
		}
		return nil, io.EOF
	}
	var m syncMessage
	if err := json.Unmarshal(s.sc.Bytes(), &m); err != nil {
		return nil, &statusError{code: codeUnknown, msg: err.Error(), err: err}
	}
	if m.Code != codeOK {
		// a status sent by the server (e.g. Aborted, or Canceled when the server side cancels the stream)
		return nil, &statusError{code: m.Code, msg: m.Message}
	}
	return &m, nil
}

func (s *syncStream) Close() error { return s.body.Close() }

// --- stub for github.com/cenkalti/backoff/v4 (RetryNotify, WithContext, Permanent) ---

type backOff interface {
	NextBackOff() time.Duration
	Reset()
}

const stop time.Duration = -1

type exponentialBackOff struct {
	current time.Duration
}

// newExponentialBackOff mirrors backoff.NewExponentialBackOff(backoff.WithMaxElapsedTime(0)).
func newExponentialBackOff() *exponentialBackOff {
	return &exponentialBackOff{current: 500 * time.Millisecond}
}

func (b *exponentialBackOff) NextBackOff() time.Duration {
	next := b.current
	b.current = b.current * 3 / 2
	if b.current > time.Minute {
		b.current = time.Minute
	}
	return next
}

func (b *exponentialBackOff) Reset() { b.current = 500 * time.Millisecond }

type backOffContext struct {
	backOff
	ctx context.Context
}

func backoffWithContext(b backOff, ctx context.Context) *backOffContext {
	return &backOffContext{backOff: b, ctx: ctx}
}

func (b *backOffContext) NextBackOff() time.Duration {
	if b.ctx.Err() != nil {
		return stop
	}
	return b.backOff.NextBackOff()
}

// permanentError mirrors backoff.PermanentError.
type permanentError struct{ Err error }

func (e *permanentError) Error() string { return e.Err.Error() }
func (e *permanentError) Unwrap() error { return e.Err }

func permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{Err: err}
}

// retryNotify mirrors backoff.RetryNotify: retry operation until it succeeds, returns a
// permanent error, or the backoff (and its context) says stop.
func retryNotify(operation func() error, b *backOffContext, notify func(error, time.Duration)) error {
	b.Reset()
	for {
		err := operation()
		if err == nil {
			return nil
		}
		var perm *permanentError
		if errors.As(err, &perm) {
			return perm.Err
		}
		next := b.NextBackOff()
		if next == stop {
			if cerr := b.ctx.Err(); cerr != nil {
				return cerr
			}
			return err
		}
		if notify != nil {
			notify(err, next)
		}
		t := time.NewTimer(next)
		select {
		case <-b.ctx.Done():
			t.Stop()
			return b.ctx.Err()
		case <-t.C:
		}
	}
}
