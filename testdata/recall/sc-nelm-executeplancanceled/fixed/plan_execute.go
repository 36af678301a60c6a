// Recall case sc-nelm-executeplancanceled
// Source: github.com/werf/nelm commit fbdbc629c70fc3718c7f550913e00f4dd9b7ee1e (internal/plan/plan_execute.go)
// Link: https://github.com/werf/nelm/commit/fbdbc629c70fc3718c7f550913e00f4dd9b7ee1e
// Bug: ExecutePlan stops scheduling operations once ctx is cancelled (parent timeout/cancel) but, if no in-flight operation failed, workerPool.Wait() returns nil and ExecutePlan returns nil, so a cancelled/timed-out install with unexecuted operations is reported as success.
// Fix: after Wait, `if ctx.Err() != nil { return fmt.Errorf("execution canceled: %w", context.Cause(ctx)) }`.
// Rule: swallowcancel
package plan

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"sync"
	"time"
)

// ContextPool is a small stand-in for github.com/sourcegraph/conc/pool.ContextPool
// configured WithContext(ctx).WithMaxGoroutines(n).WithCancelOnError().WithFirstError().
type ContextPool struct {
	ctx      context.Context
	cancel   context.CancelFunc
	sem      chan struct{}
	wg       sync.WaitGroup
	mu       sync.Mutex
	firstErr error
}

func NewContextPool(ctx context.Context, maxGoroutines int) *ContextPool {
	ctx, cancel := context.WithCancel(ctx)
	return &ContextPool{ctx: ctx, cancel: cancel, sem: make(chan struct{}, maxGoroutines)}
}

func (p *ContextPool) Go(f func(ctx context.Context) error) {
	p.sem <- struct{}{}
	p.wg.Add(1)
	go func() {
		defer func() { <-p.sem; p.wg.Done() }()
		if err := f(p.ctx); err != nil {
			p.mu.Lock()
			if p.firstErr == nil {
				p.firstErr = err
			}
			p.mu.Unlock()
			p.cancel()
		}
	}()
}

func (p *ContextPool) Wait() error {
	p.wg.Wait()
	p.cancel()
	return p.firstErr
}

type OperationType string

const (
	OperationTypeCreate OperationType = "create"
	OperationTypeDelete OperationType = "delete"
	OperationTypeNoop   OperationType = "noop"
)

type OperationStatus string

const (
	OperationStatusPending   OperationStatus = "pending"
	OperationStatusCompleted OperationStatus = "completed"
	OperationStatusFailed    OperationStatus = "failed"
)

type Operation struct {
	ID       string
	Type     OperationType
	Status   OperationStatus
	Resource map[string]any
}

type Plan struct {
	ops map[string]*Operation
	// predecessors[opID] = set of opIDs that must complete first
	predecessors map[string]map[string]struct{}
}

func (p *Plan) Operation(id string) *Operation { return p.ops[id] }

func (p *Plan) PredecessorMap() map[string]map[string]struct{} {
	m := make(map[string]map[string]struct{}, len(p.predecessors))
	for k, v := range p.predecessors {
		c := make(map[string]struct{}, len(v))
		for kk := range v {
			c[kk] = struct{}{}
		}
		m[k] = c
	}
	return m
}

// KubeClient talks to the Kubernetes API server over HTTP with the given ctx.
type KubeClient struct {
	BaseURL string
	HTTP    *http.Client
}

func (c *KubeClient) do(ctx context.Context, method, path string, body any) error {
	var buf bytes.Buffer
	if body != nil {
		if err := json.NewEncoder(&buf).Encode(body); err != nil {
			return err
		}
	}
	req, err := http.NewRequestWithContext(ctx, method, c.BaseURL+path, &buf)
	if err != nil {
		return err
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		return fmt.Errorf("unexpected status %d", resp.StatusCode)
	}
	return nil
}

func (c *KubeClient) Create(ctx context.Context, res map[string]any) error {
	return c.do(ctx, http.MethodPost, "/api/v1/namespaces/default/configmaps", res)
}

func (c *KubeClient) Delete(ctx context.Context, name string) error {
	return c.do(ctx, http.MethodDelete, "/api/v1/namespaces/default/configmaps/"+name, nil)
}

type ExecutePlanOptions struct {
	NetworkParallelism int
}

func ExecutePlan(parentCtx context.Context, plan *Plan, client *KubeClient, opts ExecutePlanOptions) error {
	ctx, ctxCancelFn := context.WithCancelCause(parentCtx)
	defer ctxCancelFn(fmt.Errorf("context canceled: plan execution finished"))

	opts.NetworkParallelism = max(opts.NetworkParallelism, 1)

	workerPool := NewContextPool(ctx, opts.NetworkParallelism)
	completedOpsIDsCh := make(chan string, 100000)
	opsMap := plan.PredecessorMap()

	log.Print("Start plan operations")

	for i := 0; len(opsMap) > 0; i++ {
		if i > 0 {
			if ctx.Err() != nil {
				log.Printf("Stop scheduling plan operations due to context canceled: %s", context.Cause(ctx))

				break
			}

			var gotCompletedOpID bool
			for len(completedOpsIDsCh) > 0 {
				completedOpID := <-completedOpsIDsCh
				gotCompletedOpID = true

				for _, edgeMap := range opsMap {
					delete(edgeMap, completedOpID)
				}
			}

			if !gotCompletedOpID {
				time.Sleep(100 * time.Millisecond)
				continue
			}
		}

		executableOpsIDs := findExecutableOpsIDs(opsMap)
		for _, opID := range executableOpsIDs {
			delete(opsMap, opID)
			execOperation(opID, completedOpsIDsCh, workerPool, plan, client, ctxCancelFn)
		}
	}

	log.Print("Wait for all plan operations to complete")

	if err := workerPool.Wait(); err != nil {
		return fmt.Errorf("wait for operations completion: %w", err)
	}

	if ctx.Err() != nil {
		return fmt.Errorf("execution canceled: %w", context.Cause(ctx))
	}

	return nil
}

func execOperation(opID string, completedOpsIDsCh chan string, workerPool *ContextPool, plan *Plan, client *KubeClient, ctxCancelFn context.CancelCauseFunc) {
	workerPool.Go(func(ctx context.Context) error {
		var err error
		defer func() {
			if err != nil {
				ctxCancelFn(fmt.Errorf("context canceled: %w", err))
			}
		}()

		op := plan.Operation(opID)
		op.Status = OperationStatusPending

		if err = execOp(ctx, op, client); err != nil {
			op.Status = OperationStatusFailed
			return fmt.Errorf("execute operation: %w", err)
		}

		op.Status = OperationStatusCompleted

		completedOpsIDsCh <- opID

		return nil
	})
}

func findExecutableOpsIDs(opsMap map[string]map[string]struct{}) []string {
	var executableOpsIDs []string
	for opID, edgeMap := range opsMap {
		if len(edgeMap) == 0 {
			executableOpsIDs = append(executableOpsIDs, opID)
		}
	}

	return executableOpsIDs
}

func execOp(ctx context.Context, op *Operation, client *KubeClient) error {
	switch op.Type {
	case OperationTypeCreate:
		if err := client.Create(ctx, op.Resource); err != nil {
			return fmt.Errorf("create resource: %w", err)
		}
	case OperationTypeDelete:
		name, _ := op.Resource["name"].(string)
		if err := client.Delete(ctx, name); err != nil {
			return fmt.Errorf("delete resource: %w", err)
		}
	case OperationTypeNoop:
	default:
		panic("unexpected operation type")
	}

	return nil
}
