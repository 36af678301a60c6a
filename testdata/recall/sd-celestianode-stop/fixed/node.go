// Recall case sd-celestianode-stop
// Source: github.com/celestiaorg/celestia-node commit 6c9ba470ca2bede52fa2c8c558504d9a61b12e39 (node/node.go)
// Link: https://github.com/celestiaorg/celestia-node/commit/6c9ba470ca2bede52fa2c8c558504d9a61b12e39
// Bug: Node.Stop takes a ctx that is documented to abort graceful shutdown when cancelled, but it builds its stop budget with context.WithTimeout(context.Background(), StopTimeout()), so the caller's cancellation/deadline is ignored and Stop always waits up to the full stop timeout.
// Fix: the stop timeout is derived from the caller's ctx (context.WithTimeout(ctx, n.app.StopTimeout())).
// Rule: sharedeadline
package node

import (
	"context"
	"log"
	"net"
	"net/http"
	"time"
)

// Hook mirrors fx.Hook: lifecycle callbacks of one component.
type Hook struct {
	OnStart func(context.Context) error
	OnStop  func(context.Context) error
}

// App mirrors the parts of *fx.App the Node uses.
type App struct {
	hooks        []Hook
	startTimeout time.Duration
	stopTimeout  time.Duration
}

func (a *App) StartTimeout() time.Duration { return a.startTimeout }
func (a *App) StopTimeout() time.Duration  { return a.stopTimeout }

func (a *App) Start(ctx context.Context) error {
	for _, h := range a.hooks {
		if h.OnStart == nil {
			continue
		}
		if err := h.OnStart(ctx); err != nil {
			return err
		}
	}
	return nil
}

// Stop runs OnStop hooks in reverse order, each bounded by ctx.
func (a *App) Stop(ctx context.Context) error {
	var firstErr error
	for i := len(a.hooks) - 1; i >= 0; i-- {
		h := a.hooks[i]
		if h.OnStop == nil {
			continue
		}
		if err := h.OnStop(ctx); err != nil && firstErr == nil {
			firstErr = err
		}
	}
	return firstErr
}

// Type is the node type (Full, Light).
type Type string

type Node struct {
	Type Type

	// the Node keeps a reference to the DI App that controls the lifecycles of services registered on the Node.
	app *App
}

// Start launches the Node and all its components and services.
func (n *Node) Start(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, n.app.StartTimeout())
	defer cancel()

	log.Printf("Starting %s Node...", n.Type)
	err := n.app.Start(ctx)
	if err != nil {
		log.Printf("Error starting %s Node: %s", n.Type, err)
		return err
	}

	log.Printf("%s Node is started", n.Type)
	return nil
}

// Run is a Start which blocks on the given context 'ctx' until it is canceled.
// If canceled, the Node is still in the running state and should be gracefully stopped via Stop.
func (n *Node) Run(ctx context.Context) error {
	err := n.Start(ctx)
	if err != nil {
		return err
	}

	<-ctx.Done()
	return ctx.Err()
}

// Stop shuts down the Node, all its running Components/Services and returns.
// Canceling the given context earlier 'ctx' unblocks the Stop and aborts graceful shutdown forcing remaining
// Components/Services to close immediately.
func (n *Node) Stop(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, n.app.StopTimeout())
	defer cancel()

	log.Printf("Stopping %s Node...", n.Type)
	err := n.app.Stop(ctx)
	if err != nil {
		log.Printf("Error stopping %s Node: %s", n.Type, err)
		return err
	}

	log.Printf("%s Node is stopped", n.Type)
	return nil
}

// newNode wires the node's components (here: its RPC server) into the lifecycle.
func newNode(tp Type, listenAddr string) *Node {
	srv := &http.Server{Addr: listenAddr}
	app := &App{
		startTimeout: 15 * time.Second,
		stopTimeout:  15 * time.Second,
		hooks: []Hook{{
			OnStart: func(ctx context.Context) error {
				ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", listenAddr)
				if err != nil {
					return err
				}
				go srv.Serve(ln)
				return nil
			},
			OnStop: func(ctx context.Context) error {
				// waits for in-flight RPC requests until ctx is done
				return srv.Shutdown(ctx)
			},
		}},
	}
	return &Node{Type: tp, app: app}
}
