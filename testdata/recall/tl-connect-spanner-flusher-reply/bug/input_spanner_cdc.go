// Recall case tl-connect-spanner-flusher-reply
// Source: github.com/redpanda-data/connect commit 19d70b96b76e053b508647b3d13cb46dd2e3193a (internal/impl/gcp/enterprise/input_spanner_cdc.go)
// Link: https://github.com/redpanda-data/connect/commit/19d70b96b76e053b508647b3d13cb46dd2e3193a
// Bug: periodicallyFlushingSpannerCDCReader.onDataChangeRecord hands the per-partition flusher an unbuffered errCh and abandons it on ctx.Done; the flusher goroutine then blocks forever on `cr.errCh <- ...`, so wg.Wait (flushersDone) never returns and the input cannot reconnect.
// Fix: errCh := make(chan error, 1), so the flusher's single reply send always completes.
// Rule: timeoutleak
package enterprise

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// DataChangeRecord is a stand-in for changestreams.DataChangeRecord.
type DataChangeRecord struct {
	ModType string
	Key     string
}

type asyncMessage struct {
	msg   []*DataChangeRecord
	ackFn func(context.Context, error) error
}

// spannerPartitionBatcher is reduced to its pending rows and the flush period.
type spannerPartitionBatcher struct {
	mu      sync.Mutex
	pending []*DataChangeRecord
	period  *time.Ticker
}

func (b *spannerPartitionBatcher) Flush() []*DataChangeRecord {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := b.pending
	b.pending = nil
	return out
}

func (b *spannerPartitionBatcher) Add(dcr *DataChangeRecord) {
	b.mu.Lock()
	b.pending = append(b.pending, dcr)
	b.mu.Unlock()
}

type partitionBatcherFactory struct {
	mu       sync.Mutex
	period   time.Duration
	batchers map[string]*spannerPartitionBatcher
}

func (f *partitionBatcherFactory) forPartition(partitionToken string) (*spannerPartitionBatcher, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if b, ok := f.batchers[partitionToken]; ok {
		return b, true, nil
	}
	if f.period <= 0 {
		return nil, false, fmt.Errorf("invalid batching period %v", f.period)
	}
	b := &spannerPartitionBatcher{period: time.NewTicker(f.period)}
	f.batchers[partitionToken] = b
	return b, false, nil
}

// signaller is a stand-in for github.com/Jeffail/shutdown.Signaller.
type signaller struct {
	softStopOnce sync.Once
	softStopCh   chan struct{}
}

func newSignaller() *signaller { return &signaller{softStopCh: make(chan struct{})} }

func (s *signaller) SoftStopChan() <-chan struct{} { return s.softStopCh }

func (s *signaller) TriggerSoftStop() { s.softStopOnce.Do(func() { close(s.softStopCh) }) }

type spannerCDCReader struct {
	batcher *partitionBatcherFactory
	resCh   chan asyncMessage
	stopSig *signaller
	log     *slog.Logger
}

var forcePeriodicFlush = &DataChangeRecord{
	ModType: "FORCE_PERIODIC_FLUSH", // This is fake mod type to indicate periodic flush
}

func (r *spannerCDCReader) emit(ctx context.Context, msg []*DataChangeRecord) error {
	if len(msg) == 0 {
		return nil
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case r.resCh <- asyncMessage{msg: msg, ackFn: func(context.Context, error) error { return nil }}:
		return nil
	}
}

func (r *spannerCDCReader) onDataChangeRecord(ctx context.Context, partitionToken string, dcr *DataChangeRecord) error {
	batcher, _, err := r.batcher.forPartition(partitionToken)
	if err != nil {
		return err
	}

	// On partition end, flush the remaining messages.
	if dcr == nil || dcr == forcePeriodicFlush {
		return r.emit(ctx, batcher.Flush())
	}

	batcher.Add(dcr)
	return nil
}

type callbackRequest struct {
	partitionToken string
	dcr            *DataChangeRecord
	errCh          chan error
}

// periodicallyFlushingSpannerCDCReader synchronizes callback invocations with
// periodic flushes to ensure ordering of messages.
type periodicallyFlushingSpannerCDCReader struct {
	*spannerCDCReader
	mu    sync.RWMutex
	reqCh map[string]chan callbackRequest
	// wg tracks the per-partition flusher goroutines so a reconnect can wait
	// for the previous session's flushers to exit before starting.
	wg sync.WaitGroup
}

func (r *periodicallyFlushingSpannerCDCReader) onDataChangeRecord(ctx context.Context, partitionToken string, dcr *DataChangeRecord) error {
	batcher, cached, err := r.batcher.forPartition(partitionToken)
	if err != nil {
		return err
	}

	if !cached {
		ch := make(chan callbackRequest)
		r.mu.Lock()
		r.reqCh[partitionToken] = ch
		r.mu.Unlock()

		softStopCh := r.stopSig.SoftStopChan()
		r.wg.Go(func() {
			r.log.Debug("starting periodic flusher", "partition", partitionToken)
			defer func() {
				r.mu.Lock()
				delete(r.reqCh, partitionToken)
				r.mu.Unlock()
				r.log.Debug("periodic flusher stopped", "partition", partitionToken)
			}()

			for {
				select {
				case <-ctx.Done():
					return
				case <-softStopCh:
					return
				case _, ok := <-batcher.period.C:
					if !ok {
						return
					}

					err := r.spannerCDCReader.onDataChangeRecord(ctx, partitionToken, forcePeriodicFlush)
					if err != nil {
						r.log.Warn("periodic flush error", "partition", partitionToken, "err", err)
					}
				case cr := <-ch:
					cr.errCh <- r.spannerCDCReader.onDataChangeRecord(ctx, partitionToken, cr.dcr)
				}
			}
		})
	}

	r.mu.RLock()
	ch := r.reqCh[partitionToken]
	r.mu.RUnlock()
	if ch == nil {
		// The flusher has already exited (shutdown/reconnect in progress).
		return fmt.Errorf("no active flusher for partition %s", partitionToken)
	}

	errCh := make(chan error)
	select {
	case <-ctx.Done():
		return ctx.Err()
	case ch <- callbackRequest{
		partitionToken: partitionToken,
		dcr:            dcr,
		errCh:          errCh,
	}:
		// ok
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case err := <-errCh:
		return err
	}
}

// run mirrors the Connect goroutine: after the subscriber returns, stop the
// flushers and wait for them before signalling stopped.
func (r *periodicallyFlushingSpannerCDCReader) run(subscriberRun func() error, hasStopped chan<- struct{}) {
	if err := subscriberRun(); err != nil {
		r.log.Error("Spanner change stream reader error", "err", err)
	}
	r.stopSig.TriggerSoftStop()
	r.wg.Wait()
	close(hasStopped)
}

func newPeriodicReader(period time.Duration, logger *slog.Logger) *periodicallyFlushingSpannerCDCReader {
	return &periodicallyFlushingSpannerCDCReader{
		spannerCDCReader: &spannerCDCReader{
			batcher: &partitionBatcherFactory{period: period, batchers: map[string]*spannerPartitionBatcher{}},
			resCh:   make(chan asyncMessage),
			stopSig: newSignaller(),
			log:     logger,
		},
		reqCh: make(map[string]chan callbackRequest),
	}
}
