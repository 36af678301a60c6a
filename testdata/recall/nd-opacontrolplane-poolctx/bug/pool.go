// Recall case nd-opacontrolplane-poolctx
// Source: github.com/open-policy-agent/opa-control-plane commit 9d8e6c63195d65df59f817b6f67dbbf9b8ecb09a (internal/pool/pool.go)
// Link: https://github.com/open-policy-agent/opa-control-plane/commit/9d8e6c63195d65df59f817b6f67dbbf9b8ecb09a
// Bug: Pool.work() runs every task with a fresh context.Background(), so BundleWorker.Execute (which uploads the bundle over HTTP to object storage) never sees the service's context and its network calls have no deadline or cancellation.
// Fix: Pool.Add takes the caller's ctx, stores it on the task, and work() passes t.ctx to the task function instead of context.Background().
// Rule: nodeadline
package pool

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"slices"
	"sync"
	"time"
)

// Pool executes tasks in order of their deadlines, using a fixed number of goroutines.
type Pool struct {
	mu    sync.Mutex
	tasks []*task
	wait  chan struct{}
	done  chan struct{}
}

type task struct {
	fn       func(context.Context) time.Time
	deadline time.Time
}

func New(workers int) *Pool {
	pool := &Pool{
		done: make(chan struct{}),
	}

	for range workers {
		go pool.work()
	}

	return pool
}

// Stop signals all worker goroutines to exit.
func (p *Pool) Stop() {
	close(p.done)
}

func (p *Pool) Add(fn func(context.Context) time.Time) {
	p.enqueue(&task{fn: fn, deadline: time.Now()})
}

// work is the main loop for each worker goroutine.
func (p *Pool) work() {
	for {
		t, ok := p.dequeue()
		if !ok {
			return
		}
		ctx := context.Background()
		p.enqueue(t.Execute(ctx))
	}
}

func (p *Pool) enqueue(t *task) {
	if t.deadline.IsZero() {
		// Task requested removal from the pool.
		return
	}

	p.mu.Lock()
	defer p.mu.Unlock()

	p.tasks = append(p.tasks, t)
	slices.SortFunc(p.tasks, func(a, b *task) int {
		return a.deadline.Compare(b.deadline)
	})

	if p.wait != nil {
		close(p.wait)
		p.wait = nil
	}
}

// dequeue blocks until a task is ready or the pool is stopped.
func (p *Pool) dequeue() (*task, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()

	for {
		var t *task
		if len(p.tasks) == 0 {
			t = &task{deadline: time.Now().Add(time.Hour * 24 * 365)}
		} else {
			t = p.tasks[0]
		}

		if t.deadline.After(time.Now()) {
			if p.wait == nil {
				p.wait = make(chan struct{})
			}
			wait := p.wait

			p.mu.Unlock()

			select {
			case <-time.After(time.Until(t.deadline)):
			case <-wait:
			case <-p.done:
				p.mu.Lock()
				return nil, false
			}

			p.mu.Lock()
			continue
		}
		break
	}

	t := p.tasks[0]
	p.tasks = slices.Delete(p.tasks, 0, 1)
	return t, true
}

func (t *task) Execute(ctx context.Context) *task {
	t.deadline = t.fn(ctx)
	return t
}

// ---- service side (pkg/service) ----

// ObjectStorage stands in for the S3/GCS/Azure bundle storage client.
type ObjectStorage struct {
	client  *http.Client
	baseURL string
}

type UploadOptions struct {
	Tenant    string
	Name      string
	Revision  string
	TotalSize int64
}

func (s *ObjectStorage) Upload(ctx context.Context, r io.Reader, opts UploadOptions) error {
	url := fmt.Sprintf("%s/%s/%s/bundle.tar.gz", s.baseURL, opts.Tenant, opts.Name)
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, url, r)
	if err != nil {
		return err
	}
	req.ContentLength = opts.TotalSize
	resp, err := s.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("upload failed: %s", resp.Status)
	}
	return nil
}

type BundleWorker struct {
	name     string
	tenant   string
	interval time.Duration
	storage  *ObjectStorage
}

func (w *BundleWorker) Execute(ctx context.Context) time.Time {
	buffer := bytes.NewBufferString("bundle:" + w.name)
	reader := bytes.NewReader(buffer.Bytes())
	if err := w.storage.Upload(ctx, reader, UploadOptions{
		Tenant:    w.tenant,
		Name:      w.name,
		TotalSize: reader.Size(),
	}); err != nil {
		log.Printf("failed to upload bundle %q: %v", w.name, err)
	}
	return time.Now().Add(w.interval)
}

type Service struct {
	pool    *Pool
	storage *ObjectStorage
	workers map[string]*BundleWorker
}

func (s *Service) launchWorkers(ctx context.Context, tenant string, bundles []string) {
	for _, name := range bundles {
		if _, ok := s.workers[name]; ok {
			continue
		}
		w := &BundleWorker{name: name, tenant: tenant, interval: 30 * time.Second, storage: s.storage}

		s.pool.Add(w.Execute)

		s.workers[name] = w
	}
}
