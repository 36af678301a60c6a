// Recall case sc-dapr-scheduler-runclients
// Source: github.com/dapr/dapr commit 04e6006f09b9215ff7b17db4a7758e42a60d16fd (pkg/runtime/scheduler/internal/cluster/cluster.go)
// Link: https://github.com/dapr/dapr/commit/04e6006f09b9215ff7b17db4a7758e42a60d16fd
// Bug: Cluster.RunClients turns a context.Canceled from c.loop into success ("if errors.Is(err, context.Canceled) { return nil }") and formats other errors with %v, so cancellation of the job watch is reported as a clean exit and the cause is not wrapped.
// Fix: return the parent ctx.Err() when ctx is done, and wrap the watch error with %w.
// Rule: swallowcancel
package cluster

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"sync"
)

type Options struct {
	Namespace    string
	AppID        string
	TypeUpdateCh <-chan []string
}

// Cluster manages connections to multiple schedulers.
type Cluster struct {
	namespace    string
	appID        string
	typeUpdateCh <-chan []string

	lock sync.Mutex

	appCh      chan struct{}
	appRunning bool
	readyCh    chan struct{}

	wg sync.WaitGroup
}

func New(opts Options) *Cluster {
	return &Cluster{
		namespace:    opts.Namespace,
		appID:        opts.AppID,
		typeUpdateCh: opts.TypeUpdateCh,
		appCh:        make(chan struct{}),
		readyCh:      make(chan struct{}),
	}
}

// Run starts watching for job triggers from all scheduler clients.
func (c *Cluster) RunClients(ctx context.Context, clients *Clients) error {
	defer c.wg.Wait()

	var actorTypes []string
	typeUpdateCh := c.typeUpdateCh

	for {
		c.lock.Lock()
		appRunning := c.appRunning
		appCh := c.appCh
		c.lock.Unlock()

		if !appRunning && len(actorTypes) == 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-appCh:
			case actorTypes = <-typeUpdateCh:
			}
		}

		c.lock.Lock()
		appCh = c.appCh
		appRunning = c.appRunning
		c.lock.Unlock()

		if !appRunning && len(actorTypes) == 0 {
			continue
		}

		lctx, cancel := context.WithCancel(ctx)

		c.wg.Add(1)
		go func() {
			select {
			case <-lctx.Done():
			case actorTypes = <-typeUpdateCh:
			case <-appCh:
			}
			cancel()
			c.wg.Done()
		}()

		err := c.loop(lctx, clients, appRunning, actorTypes)
		cancel()
		if errors.Is(err, context.Canceled) {
			return nil
		}

		if err != nil {
			return fmt.Errorf("error watching scheduler jobs: %v", err)
		}
	}
}

func (c *Cluster) loop(ctx context.Context, clients *Clients, appTarget bool, actorTypes []string) error {
	err := c.watchJobs(ctx, clients, appTarget, actorTypes)
	if err == nil {
		return nil
	}

	if ctx.Err() != nil {
		return ctx.Err()
	}

	if err == io.EOF {
		log.Printf("Received EOF, re-establishing connection: %v", err)
		return nil
	}

	return fmt.Errorf("error watching scheduler jobs: %w", err)
}

// watchJobs watches for job triggers from all scheduler clients.
func (c *Cluster) watchJobs(ctx context.Context, clients *Clients, appTarget bool, actorTypes []string) error {
	req := &WatchJobsRequest{
		AppID:      c.appID,
		Namespace:  c.namespace,
		AppTarget:  appTarget,
		ActorTypes: actorTypes,
	}

	cls := clients.All()

	if len(cls) == 0 {
		log.Print("No scheduler clients available, not watching jobs")
		<-ctx.Done()
		return ctx.Err()
	}

	runners := make([]func(context.Context) error, len(cls)+1)
	connectors := make([]*connector, len(cls))

	for i := range cls {
		connectors[i] = &connector{
			req:     req,
			client:  cls[i],
			readyCh: make(chan struct{}),
		}
		runners[i] = connectors[i].run
	}

	runners[len(cls)] = func(ctx context.Context) error {
		for _, conn := range connectors {
			select {
			case <-conn.readyCh:
			case <-ctx.Done():
				return ctx.Err()
			}
		}

		c.lock.Lock()
		close(c.readyCh)
		c.lock.Unlock()

		<-ctx.Done()

		c.lock.Lock()
		c.readyCh = make(chan struct{})
		c.lock.Unlock()
		return ctx.Err()
	}

	return runAll(ctx, runners...)
}

func (c *Cluster) StartApp() {
	c.lock.Lock()
	defer c.lock.Unlock()
	c.appRunning = true
	close(c.appCh)
	c.appCh = make(chan struct{}, 1)
}

func (c *Cluster) StopApp() {
	c.lock.Lock()
	defer c.lock.Unlock()
	c.appRunning = false
	close(c.appCh)
	c.appCh = make(chan struct{}, 1)
}
