// Recall case sd-matrixone-backupcheckpoint
// Source: github.com/matrixorigin/matrixone commit c921b431cb7e5f9429e3835a95d7167141316e6a (pkg/vm/engine/tae/rpc/handle_debug.go, pkg/vm/engine/tae/db/checkpoint/testutils.go)
// Link: https://github.com/matrixorigin/matrixone/commit/c921b431cb7e5f9429e3835a95d7167141316e6a
// Bug: HandleBackup imposes a fixed 90s DefaultTimeout when the request has no FlushDuration, and ForceICKP unconditionally narrows every caller to a fixed 2-minute budget, so the backup request/session deadline (intentionally longer) is ignored and large backups time out.
// Fix: Derive the stage contexts from the caller: HandleBackup only adds a timeout when FlushDuration is set (else WithCancel(ctx)), and ForceICKP keeps the caller deadline if present, using 2 minutes only as a fallback.
// Rule: sharedeadline
package backup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

const (
	DefaultTimeout = time.Minute * 3 / 2
)

var ErrPendingCheckpoint = errors.New("pending checkpoint")

type Checkpoint struct {
	FlushDuration time.Duration
}

type SyncLogTailResp struct {
	CkpLocation string
}

// intent stands in for checkpoint.Intent: Wait is closed once the
// checkpoint has been flushed to object storage.
type intent struct {
	done     chan struct{}
	location string
}

func (i *intent) Wait() <-chan struct{} { return i.done }

type runner struct {
	ctx      context.Context
	endpoint string
	client   *http.Client
}

// TryScheduleCheckpoint asks the checkpoint service to flush up to ts; the
// returned intent completes when the remote flush finishes.
func (r *runner) TryScheduleCheckpoint(ts int64, force bool) (*intent, error) {
	req, err := http.NewRequestWithContext(r.ctx, http.MethodPost,
		r.endpoint+"/checkpoint?ts="+url.QueryEscape(fmt.Sprint(ts)), nil)
	if err != nil {
		return nil, err
	}
	it := &intent{done: make(chan struct{})}
	go func() {
		defer close(it.done)
		resp, err := r.client.Do(req)
		if err != nil {
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		it.location = string(b)
	}()
	return it, nil
}

func (r *runner) ForceICKP(ctx context.Context, ts int64) (location string, err error) {
	var it *intent

	ctx, cancel := context.WithTimeout(ctx, time.Minute*2)
	defer cancel()

	for {
		if it, err = r.TryScheduleCheckpoint(ts, true); err != nil {
			// for retryable error, we should retry
			if err == ErrPendingCheckpoint {
				err = nil
				time.Sleep(time.Millisecond * 100)
				continue
			}
			return
		}
		select {
		case <-ctx.Done():
			err = context.Cause(ctx)
			return
		case <-r.ctx.Done():
			err = context.Cause(r.ctx)
			return
		case <-it.Wait():
			return it.location, nil
		}
	}
}

type Handle struct {
	runner *runner
}

func (h *Handle) HandleBackup(
	ctx context.Context,
	req *Checkpoint,
	resp *SyncLogTailResp,
) (err error) {
	var (
		timeout    = req.FlushDuration
		backupTime = time.Now().UTC()
		currTs     = time.Now().UnixNano()
		locations  string
		location   string
	)

	locations += backupTime.Format(time.DateTime) + ";"

	if timeout == 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	if location, err = h.runner.ForceICKP(ctx, currTs); err != nil {
		return
	}
	locations += location + ";"
	resp.CkpLocation = locations
	return
}
