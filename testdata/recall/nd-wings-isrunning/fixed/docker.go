// Recall case nd-wings-isrunning
// Source: github.com/pterodactyl/wings commit ee91224eb68b9e9775cf7ea1fe3e18a879184cf3 (environment/docker/container.go)
// Link: https://github.com/pterodactyl/wings/commit/ee91224eb68b9e9775cf7ea1fe3e18a879184cf3
// Bug: During boot, every server's Environment.IsRunning() and Attach() call the Docker API (ContainerInspect/ContainerAttach) with context.Background(), so a hung Docker daemon blocks the Wings boot forever.
// Fix: rootCmdRun creates context.WithTimeout(cmd.Context(), 30s) per server and IsRunning/Attach take that ctx and pass it to the Docker calls.
// Rule: nodeadline
package wings

import (
	"context"
	"errors"
	"io"
	"log"
	"sync"
	"time"
)

// Environment is the Docker implementation of ProcessEnvironment.
type Environment struct {
	mu     sync.RWMutex
	Id     string
	client *dockerClient
	stream *hijackedResponse
	st     string
}

func (e *Environment) SetState(s string) { e.mu.Lock(); e.st = s; e.mu.Unlock() }

func (e *Environment) IsAttached() bool {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.stream != nil
}

func (e *Environment) SetStream(s *hijackedResponse) { e.mu.Lock(); e.stream = s; e.mu.Unlock() }

// Determines if the server's docker container is currently running. If there is no container
// present, an error will be raised (since this shouldn't be a case that ever happens under
// correctly developed circumstances).
func (e *Environment) IsRunning(ctx context.Context) (bool, error) {
	c, err := e.client.ContainerInspect(ctx, e.Id)
	if err != nil {
		return false, err
	}
	return c.State.Running, nil
}

// Attach attaches to the docker container itself and ensures that we can pipe
// data in and out of the process stream.
func (e *Environment) Attach(ctx context.Context) error {
	if e.IsAttached() {
		return nil
	}

	// Set the stream again with the container.
	if st, err := e.client.ContainerAttach(ctx, e.Id); err != nil {
		return err
	} else {
		e.SetStream(&st)
	}

	go func() {
		// Don't use the context provided to the function, that'll cause the polling to
		// exit unexpectedly. We want a custom context for this, the one passed to the
		// function is to avoid a hang situation when trying to attach to a container.
		pollCtx, cancel := context.WithCancel(context.Background())
		defer cancel()
		defer e.stream.Close()
		defer func() {
			e.SetState(ProcessOfflineState)
			e.SetStream(nil)
		}()

		go func() {
			if err := e.pollResources(pollCtx); err != nil {
				if !errors.Is(err, context.Canceled) {
					log.Printf("error during environment resource polling: %v", err)
				}
			}
		}()

		if _, err := io.Copy(io.Discard, e.stream.Reader); err != nil {
			log.Printf("could not copy from environment stream to noop writer: %v", err)
		}
	}()

	return nil
}

func (e *Environment) pollResources(ctx context.Context) error {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}
