// Recall case uw-temporal-reserveslot
// Source: github.com/temporalio/sdk-go commit ffb0e47323a57c517304275f80989c468dd1fd29 (internal/resource_tuner.go)
// Link: https://github.com/temporalio/sdk-go/pull/2458
// Bug: ResourceBasedSlotSupplier.ReserveSlot retries in a loop ending in a bare time.Sleep and never checks ctx, so when the controller keeps declining, the reserveSlotAsync goroutine outlives worker stop (ctx cancelled) forever.
// Fix: check ctx.Err() at the top of the loop and replace time.Sleep with a select on time.After(retryReserveInterval) and ctx.Done().
// Rule: uncancellablewait
package internal

import (
	"context"
	"errors"
	"fmt"
	"log"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// retryReserveInterval is how long ReserveSlot waits before re-asking the controller for a slot
// after it has declined one.
const retryReserveInterval = 10 * time.Millisecond

// SysInfoProvider implementations provide information about system resources.
type SysInfoProvider interface {
	MemoryUsage(infoContext *SysInfoContext) (float64, error)
}

type SysInfoContext struct {
	Logger *log.Logger
}

// runtimeSysInfoProvider samples the Go heap against a configured limit
// (stand-in for the gopsutil/cgroup based provider of upstream).
type runtimeSysInfoProvider struct {
	limitBytes uint64
}

func (p *runtimeSysInfoProvider) MemoryUsage(_ *SysInfoContext) (float64, error) {
	if p.limitBytes == 0 {
		return 0, errors.New("memory limit not configured")
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return float64(ms.HeapInuse) / float64(p.limitBytes), nil
}

// ResourceController decides whether new slots may be issued.
type ResourceController struct {
	infoSupplier     SysInfoProvider
	memTargetPercent float64
}

func (rc *ResourceController) pidDecision(logger *log.Logger) (bool, error) {
	mem, err := rc.infoSupplier.MemoryUsage(&SysInfoContext{Logger: logger})
	if err != nil {
		return false, err
	}
	return mem < rc.memTargetPercent, nil
}

type SlotPermit struct{}

type SlotReservationInfo interface {
	NumIssuedSlots() int
	Logger() *log.Logger
}

// ResourceBasedSlotSupplierOptions configures a particular ResourceBasedSlotSupplier.
type ResourceBasedSlotSupplierOptions struct {
	MinSlots     int
	MaxSlots     int
	RampThrottle time.Duration
}

// DefaultWorkflowResourceBasedSlotSupplierOptions returns default options for workflow slot suppliers.
func DefaultWorkflowResourceBasedSlotSupplierOptions() ResourceBasedSlotSupplierOptions {
	return ResourceBasedSlotSupplierOptions{
		MinSlots:     5,
		MaxSlots:     1000,
		RampThrottle: 0 * time.Second,
	}
}

// ResourceBasedSlotSupplier is a SlotSupplier that issues slots based on system resource usage.
type ResourceBasedSlotSupplier struct {
	controller *ResourceController
	options    ResourceBasedSlotSupplierOptions

	lastIssuedMu     sync.Mutex
	lastSlotIssuedAt time.Time
}

func NewResourceBasedSlotSupplier(
	controller *ResourceController,
	options ResourceBasedSlotSupplierOptions,
) (*ResourceBasedSlotSupplier, error) {
	if options.MinSlots < 0 || options.MaxSlots < 0 || options.MinSlots > options.MaxSlots {
		return nil, errors.New("MinSlots and MaxSlots must be non-negative and MinSlots must be less than or equal to MaxSlots")
	}
	if options.RampThrottle < 0 {
		return nil, errors.New("RampThrottle must be non-negative")
	}
	return &ResourceBasedSlotSupplier{controller: controller, options: options}, nil
}

func (r *ResourceBasedSlotSupplier) ReserveSlot(ctx context.Context, info SlotReservationInfo) (*SlotPermit, error) {
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if info.NumIssuedSlots() < r.options.MinSlots {
			return &SlotPermit{}, nil
		}
		if r.options.RampThrottle > 0 {
			r.lastIssuedMu.Lock()
			mustWaitFor := r.options.RampThrottle - time.Since(r.lastSlotIssuedAt)
			if mustWaitFor > 0 {
				select {
				case <-time.After(mustWaitFor):
				case <-ctx.Done():
					r.lastIssuedMu.Unlock()
					return nil, ctx.Err()
				}
			}
			r.lastIssuedMu.Unlock()
		}

		maybePermit := r.TryReserveSlot(info)
		if maybePermit != nil {
			return maybePermit, nil
		}
		select {
		case <-time.After(retryReserveInterval):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

func (r *ResourceBasedSlotSupplier) TryReserveSlot(info SlotReservationInfo) *SlotPermit {
	r.lastIssuedMu.Lock()
	defer r.lastIssuedMu.Unlock()

	numIssued := info.NumIssuedSlots()
	if numIssued < r.options.MinSlots || (numIssued < r.options.MaxSlots &&
		time.Since(r.lastSlotIssuedAt) > r.options.RampThrottle) {
		decision, err := r.controller.pidDecision(info.Logger())
		if err != nil {
			info.Logger().Printf("Error calculating resource usage: %v", err)
			return nil
		}
		if decision {
			r.lastSlotIssuedAt = time.Now()
			return &SlotPermit{}
		}
	}
	return nil
}

// --- tuning.go: trackingSlotSupplier wraps the user supplier ---

type slotReserveInfoImpl struct {
	issuedSlots *atomic.Int32
	logger      *log.Logger
}

func (s slotReserveInfoImpl) NumIssuedSlots() int { return int(s.issuedSlots.Load()) }
func (s slotReserveInfoImpl) Logger() *log.Logger { return s.logger }

type trackingSlotSupplier struct {
	inner             *ResourceBasedSlotSupplier
	issuedSlotsAtomic atomic.Int32
	logger            *log.Logger
}

func (t *trackingSlotSupplier) ReserveSlot(ctx context.Context) (*SlotPermit, error) {
	permit, err := t.inner.ReserveSlot(ctx, slotReserveInfoImpl{
		issuedSlots: &t.issuedSlotsAtomic,
		logger:      t.logger,
	})
	if err != nil {
		return nil, err
	}
	if permit == nil {
		return nil, fmt.Errorf("slot supplier returned nil permit")
	}
	t.issuedSlotsAtomic.Add(1)
	return permit, nil
}

// --- internal_worker_base.go: reserveSlotAsync runs on the worker's stop WaitGroup ---

type baseWorker struct {
	slotSupplier *trackingSlotSupplier
	stopWG       sync.WaitGroup
	logger       *log.Logger
}

func (bw *baseWorker) reserveSlotAsync(
	ctx context.Context,
	reserveChan chan<- *SlotPermit,
) {
	bw.stopWG.Add(1)
	go func() {
		defer bw.stopWG.Done()
		s, err := bw.slotSupplier.ReserveSlot(ctx)
		if err != nil {
			if !errors.Is(err, context.Canceled) {
				bw.logger.Printf("Error while trying to reserve slot: %v", err)
				select {
				case reserveChan <- nil:
				case <-ctx.Done():
					return
				}
			}
			return
		}
		select {
		case reserveChan <- s:
		case <-ctx.Done():
		}
	}()
}

// Stop cancels the reservation context and waits (bounded) for reservation goroutines.
func (bw *baseWorker) reserveOnce(parent context.Context, stopTimeout time.Duration) (*SlotPermit, error) {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	reserveChan := make(chan *SlotPermit)
	bw.reserveSlotAsync(ctx, reserveChan)
	select {
	case p := <-reserveChan:
		return p, nil
	case <-ctx.Done():
		cancel()
		done := make(chan struct{})
		go func() {
			bw.stopWG.Wait()
			close(done)
		}()
		select {
		case <-done:
		case <-time.After(stopTimeout):
			bw.logger.Printf("worker graceful stop timed out")
		}
		return nil, ctx.Err()
	}
}
