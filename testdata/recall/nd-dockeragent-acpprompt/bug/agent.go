// Recall case nd-dockeragent-acpprompt
// Source: github.com/docker/docker-agent commit 5132fc2f52e348e7626dd10e0a96bb0ecc2854e1 (pkg/acp/agent.go)
// Link: https://github.com/docker/docker-agent/commit/5132fc2f52e348e7626dd10e0a96bb0ecc2854e1
// Bug: Prompt ignores the ACP request context and builds the turn context with context.WithCancel(context.Background()), so the model HTTP stream run by runAgent has no deadline and cannot be cancelled by the client.
// Fix: the turn context is derived from the caller's ctx: context.WithCancel(ctx).
// Rule: nodeadline
package acp

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
)

// Event is a runtime stream event (stand-in for runtime.Event).
type Event struct {
	Content string
	Err     error
}

// Runtime streams a model turn (stand-in for runtime.Runtime backed by an LLM HTTP API).
type Runtime interface {
	RunStream(ctx context.Context, prompt string) <-chan Event
}

type httpRuntime struct {
	client   *http.Client
	modelURL string
}

func (r *httpRuntime) RunStream(ctx context.Context, prompt string) <-chan Event {
	out := make(chan Event)
	go func() {
		defer close(out)
		send := func(e Event) bool {
			select {
			case out <- e:
				return true
			case <-ctx.Done():
				return false
			}
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.modelURL, strings.NewReader(prompt))
		if err != nil {
			send(Event{Err: err})
			return
		}
		resp, err := r.client.Do(req)
		if err != nil {
			send(Event{Err: err})
			return
		}
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			if !send(Event{Content: sc.Text()}) {
				return
			}
		}
	}()
	return out
}

// AgentSideConnection writes session updates to the ACP client (stand-in).
type AgentSideConnection struct {
	mu sync.Mutex
	w  io.Writer
}

func (c *AgentSideConnection) SessionUpdate(ctx context.Context, sessionID, text string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return json.NewEncoder(c.w).Encode(map[string]string{"sessionId": sessionID, "text": text})
}

// Session represents an ACP session
type Session struct {
	id     string
	rt     Runtime
	cancel context.CancelFunc
}

// Agent implements the ACP Agent interface for cagent
type Agent struct {
	sessions map[string]*Session
	conn     *AgentSideConnection
	mu       sync.Mutex
}

// Cancel implements [acp.Agent]
func (a *Agent) Cancel(_ context.Context, sessionID string) error {
	a.mu.Lock()
	acpSess, ok := a.sessions[sessionID]
	a.mu.Unlock()

	if ok && acpSess != nil && acpSess.cancel != nil {
		acpSess.cancel()
	}

	return nil
}

// Prompt implements [acp.Agent]
func (a *Agent) Prompt(_ context.Context, sid string, prompt string) (string, error) {
	a.mu.Lock()
	acpSess, ok := a.sessions[sid]
	a.mu.Unlock()

	if !ok {
		return "", fmt.Errorf("session %s not found", sid)
	}

	// Cancel any previous turn
	a.mu.Lock()
	if acpSess.cancel != nil {
		prev := acpSess.cancel
		a.mu.Unlock()
		prev()
	} else {
		a.mu.Unlock()
	}

	// Create a new context for this turn
	turnCtx, cancel := context.WithCancel(context.Background())
	a.mu.Lock()
	acpSess.cancel = cancel
	a.mu.Unlock()

	// Run the agent and stream updates
	if err := a.runAgent(turnCtx, acpSess, prompt); err != nil {
		if turnCtx.Err() != nil {
			return "cancelled", nil
		}
		return "", err
	}

	a.mu.Lock()
	acpSess.cancel = nil
	a.mu.Unlock()

	return "end_turn", nil
}

// runAgent runs a single agent loop and streams updates to the ACP client
func (a *Agent) runAgent(ctx context.Context, acpSess *Session, prompt string) error {
	eventsChan := acpSess.rt.RunStream(ctx, prompt)

	for event := range eventsChan {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if event.Err != nil {
			if err := a.conn.SessionUpdate(ctx, acpSess.id, fmt.Sprintf("\n\nError: %s\n", event.Err)); err != nil {
				return err
			}
			continue
		}
		if err := a.conn.SessionUpdate(ctx, acpSess.id, event.Content); err != nil {
			return err
		}
	}

	return nil
}
