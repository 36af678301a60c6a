// Recall case sc-zrepl-replication
// Source: github.com/zrepl/zrepl commit 1691839c6bb2634dd9131cfa7ea699d1620bd30c (replication/fsrep/fsfsm.go)
// Link: https://github.com/zrepl/zrepl/commit/1691839c6bb2634dd9131cfa7ea699d1620bd30c
// Bug: When ctx is cancelled, the send step fails with context.Canceled, which StepError classifies as a filesystem-local error; stateWorking keeps the Working state and the Drive loop retries the filesystem again and again with the dead context instead of stopping.
// Fix: StepError gains ContextErr() and stateWorking turns a context error (with ctx.Err() != nil) into a permanent GlobalError, ending the replication.
// Rule: swallowcancel
package replication

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"
)

// Sender is the sending side of a replication (an RPC endpoint).
type Sender interface {
	Send(ctx context.Context, fs, snapshot string) (io.ReadCloser, error)
}

// httpSender is the RPC stand-in: Send issues an HTTP request bound to ctx.
type httpSender struct {
	base string
	hc   *http.Client
}

func (s *httpSender) Send(ctx context.Context, fs, snapshot string) (io.ReadCloser, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.base+"/send?fs="+fs+"&snap="+snapshot, nil)
	if err != nil {
		return nil, err
	}
	resp, err := s.hc.Do(req)
	if err != nil {
		// unwrap *url.Error so that context errors surface as-is, like the RPC layer does
		if ue, ok := err.(interface{ Unwrap() error }); ok {
			return nil, ue.Unwrap()
		}
		return nil, err
	}
	return resp.Body, nil
}

type Error interface {
	error
	Temporary() bool
	ContextErr() bool
	LocalToFS() bool
}

type FSState uint

const (
	Ready FSState = 1 << iota
	FSCompleted
)

// FSReplication is the per-filesystem replication (fsrep.Replication).
type FSReplication struct {
	fs string

	lock    sync.Mutex
	state   FSState
	err     Error
	pending []*ReplicationStep
}

func (f *FSReplication) FS() string { return f.fs }

// returns zero value time.Time{} if no more pending steps
func (f *FSReplication) NextStepDate() time.Time {
	if len(f.pending) == 0 {
		return time.Time{}
	}
	return f.pending[0].snapTime
}

func (f *FSReplication) CanRetry() bool {
	f.lock.Lock()
	defer f.lock.Unlock()
	if f.state == FSCompleted {
		return false
	}
	if f.err == nil {
		return true
	}
	return f.err.Temporary()
}

type ReplicationStep struct {
	snapshot string
	snapTime time.Time
}

func (s *ReplicationStep) Retry(ctx context.Context, fs string, sender Sender) error {
	stream, err := sender.Send(ctx, fs, s.snapshot)
	if err != nil {
		return err
	}
	defer stream.Close()
	_, err = io.Copy(io.Discard, stream)
	return err
}

func (f *FSReplication) Retry(ctx context.Context, sender Sender) Error {
	f.lock.Lock()
	if len(f.pending) == 0 {
		f.state = FSCompleted
		f.lock.Unlock()
		return nil
	}
	current := f.pending[0]
	f.lock.Unlock()

	err := current.Retry(ctx, f.fs, sender)

	f.lock.Lock()
	defer f.lock.Unlock()
	if err != nil {
		f.err = &StepError{stepStr: current.snapshot, err: err}
		return f.err
	}
	f.err = nil
	f.pending = f.pending[1:]
	if len(f.pending) == 0 {
		f.state = FSCompleted
	}
	return nil
}

type StepError struct {
	stepStr string
	err     error
}

var _ Error = &StepError{}

func (e StepError) Error() string {
	if e.LocalToFS() {
		return fmt.Sprintf("step %s failed: %s", e.stepStr, e.err)
	}
	return e.err.Error()
}

func (e StepError) Temporary() bool {
	if neterr, ok := e.err.(net.Error); ok {
		return neterr.Timeout()
	}
	return false
}

func (e StepError) LocalToFS() bool {
	if _, ok := e.err.(net.Error); ok {
		return false
	}
	return true // conservative approximation: we'd like to check for specific errors returned over RPC here...
}

func (e StepError) ContextErr() bool {
	switch e.err {
	case context.Canceled:
		return true
	case context.DeadlineExceeded:
		return true
	}
	return false
}
