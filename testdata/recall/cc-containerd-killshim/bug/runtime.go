// Recall case cc-containerd-killshim
// Source: github.com/containerd/containerd commit 18e581dd91fd671aaeba86dcae2b6c97142a1cb0 (runtime/v1/linux/runtime.go)
// Link: https://github.com/containerd/containerd/pull/4048
// Bug: when task creation fails because the request ctx timed out or was cancelled, the deferred s.KillShim(ctx) reuses that ctx, fails, and leaves a dangling shim.
// Fix: the deferred cleanup uses a fresh context.WithTimeout(namespaces.WithNamespace(context.TODO(), namespace), cleanupTimeout).
// Rule: cleanupctx
package linux

import (
	"context"
	"errors"
	"log"
	"net/http"
)

type nsKey struct{}

// WithNamespace / NamespaceRequired stand in for containerd's namespaces package.
func WithNamespace(ctx context.Context, ns string) context.Context {
	return context.WithValue(ctx, nsKey{}, ns)
}

func NamespaceRequired(ctx context.Context) (string, error) {
	ns, ok := ctx.Value(nsKey{}).(string)
	if !ok || ns == "" {
		return "", errors.New("namespace is required")
	}
	return ns, nil
}

// shimClient stands in for the ttrpc shim client; each method is an RPC.
type shimClient struct{ addr string }

func (s *shimClient) call(ctx context.Context, path string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.addr+path, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

func (s *shimClient) Create(ctx context.Context, id string) error { return s.call(ctx, "/create/"+id) }
func (s *shimClient) KillShim(ctx context.Context) error          { return s.call(ctx, "/kill") }

type Task struct{ id, namespace string }

type Runtime struct{ shimAddr string }

func (r *Runtime) Create(ctx context.Context, id string) (_ *Task, err error) {
	namespace, err := NamespaceRequired(ctx)
	if err != nil {
		return nil, err
	}

	s := &shimClient{addr: r.shimAddr + "/" + namespace}
	defer func() {
		if err != nil {
			if kerr := s.KillShim(ctx); kerr != nil {
				log.Printf("failed to kill shim: %v", err)
			}
		}
	}()

	if err := s.Create(ctx, id); err != nil {
		return nil, err
	}
	return &Task{id: id, namespace: namespace}, nil
}
