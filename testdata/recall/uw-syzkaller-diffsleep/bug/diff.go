// Recall case uw-syzkaller-diffsleep
// Source: github.com/google/syzkaller commit d03b0c97faf4610981228dd69f6f9a94ab9f693b (pkg/manager/diff.go)
// Link: https://github.com/google/syzkaller/commit/d03b0c97faf4610981228dd69f6f9a94ab9f693b
// Bug: The errgroup goroutine started by diffContext.Loop sleeps 15 minutes with time.Sleep before starting bug reproductions, ignoring the group ctx, so shutting down the diff fuzzer waits out the whole sleep.
// Fix: The sleep is replaced by a select on time.After(15*time.Minute) and ctx.Done(), returning early when the context is cancelled.
// Rule: uncancellablewait
package manager

import (
	"context"
	"log"
	"sync"
	"time"
)

// group is a minimal stand-in for golang.org/x/sync/errgroup.Group.
type group struct {
	wg     sync.WaitGroup
	cancel context.CancelFunc
	once   sync.Once
	err    error
}

func withContext(ctx context.Context) (*group, context.Context) {
	ctx, cancel := context.WithCancel(ctx)
	return &group{cancel: cancel}, ctx
}

func (g *group) Go(f func() error) {
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		if err := f(); err != nil {
			g.once.Do(func() {
				g.err = err
				g.cancel()
			})
		}
	}()
}

func (g *group) Wait() error {
	g.wg.Wait()
	g.cancel()
	return g.err
}

type Report struct {
	Title  string
	Report []byte
}

type kernelContext struct {
	name    string
	ctx     context.Context
	crashes chan *Report
}

func (kc *kernelContext) Loop() error {
	<-kc.ctx.Done()
	return nil
}

type ReproLoop struct {
	queue chan string
}

func NewReproLoop() *ReproLoop {
	return &ReproLoop{queue: make(chan string, 16)}
}

// Loop runs reproductions until ctx is done.
func (r *ReproLoop) Loop(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case title := <-r.queue:
			log.Printf("reproducing %q", title)
		}
	}
}

type diffContext struct {
	base *kernelContext
	new  *kernelContext

	mu            sync.Mutex
	reproAttempts map[string]int
}

func (dc *diffContext) Loop(baseCtx context.Context) error {
	g, ctx := withContext(baseCtx)
	reproLoop := NewReproLoop()
	g.Go(func() error {
		// Let both base and patched instances somewhat progress in fuzzing before we take
		// VMs away for bug reproduction.
		// TODO: determine the exact moment of corpus triage.
		time.Sleep(15 * time.Minute)
		log.Printf("starting bug reproductions")
		reproLoop.Loop(ctx)
		return nil
	})

	g.Go(dc.base.Loop)
	g.Go(dc.new.Loop)

	rareStat := time.NewTicker(5 * time.Minute)
	defer rareStat.Stop()
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case <-rareStat.C:
			log.Printf("STAT tick")
		case rep := <-dc.base.crashes:
			log.Printf("base crash: %v", rep.Title)
		}
	}
	return g.Wait()
}
