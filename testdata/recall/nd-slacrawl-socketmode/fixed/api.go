// Recall case nd-slacrawl-socketmode
// Source: github.com/openclaw/slacrawl commit 9617bc6e5d1288bb9a17c7dff43c77e8a70b9eda (internal/slackapi/api.go)
// Link: https://github.com/openclaw/slacrawl/commit/9617bc6e5d1288bb9a17c7dff43c77e8a70b9eda
// Bug: Tail starts the Socket Mode websocket through socketModeRunner.Run(), which calls the library's Run() = RunContext(context.TODO()), so the long-lived websocket connection never observes Tail's ctx and has no deadline/cancellation (it outlives Tail).
// Fix: the runner interface takes a ctx (Run(ctx)) and managedSocketMode calls client.RunContext(ctx) with Tail's context (and repair failures now warn instead of killing the loop).
// Rule: nodeadline
package slackapi

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// ---- stand-in for github.com/slack-go/slack/socketmode ----

type Request struct{ EnvelopeID string }

type Event struct {
	Type    string
	Request *Request
	Data    string
}

type SocketModeClient struct {
	endpoint string
	dialer   *net.Dialer
	Events   chan Event
}

func NewSocketMode(endpoint string) *SocketModeClient {
	return &SocketModeClient{endpoint: endpoint, dialer: &net.Dialer{}, Events: make(chan Event, 16)}
}

// Run is the library's convenience wrapper: RunContext(context.TODO()).
func (smc *SocketModeClient) Run() error {
	return smc.RunContext(context.TODO())
}

// RunContext dials the websocket endpoint and pumps events until ctx is done
// or the connection fails.
func (smc *SocketModeClient) RunContext(ctx context.Context) error {
	conn, err := smc.dialer.DialContext(ctx, "tcp", smc.endpoint)
	if err != nil {
		return err
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { _ = conn.Close() })
	defer stop()

	sc := bufio.NewScanner(conn)
	for sc.Scan() {
		ev := Event{Type: "events_api", Request: &Request{EnvelopeID: "env"}, Data: sc.Text()}
		select {
		case smc.Events <- ev:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	return errors.New("socket mode connection closed")
}

func (smc *SocketModeClient) Ack(req Request, payload ...interface{}) error {
	return nil
}

// ---- slacrawl ----

type Store interface {
	SetSyncState(ctx context.Context, source, kind, key, value string) error
}

type socketModeRunner interface {
	Run(ctx context.Context) error
	Ack(req Request, payload ...interface{})
	Events() <-chan Event
}

type managedSocketMode struct {
	client *SocketModeClient
}

func (m managedSocketMode) Run(ctx context.Context) error { return m.client.RunContext(ctx) }
func (m managedSocketMode) Ack(req Request, payload ...interface{}) {
	_ = m.client.Ack(req, payload...)
}
func (m managedSocketMode) Events() <-chan Event { return m.client.Events }

type Client struct {
	httpClient   *http.Client
	apiURL       string
	appToken     string
	socketURL    string
	socketModeFn func(endpoint string) socketModeRunner
	now          func() time.Time
	logger       *slog.Logger
}

func New(apiURL, socketURL, appToken string) *Client {
	c := &Client{
		httpClient: &http.Client{Timeout: 30 * time.Second},
		apiURL:     apiURL,
		appToken:   appToken,
		socketURL:  socketURL,
		now:        time.Now,
		logger:     slog.Default(),
	}
	c.socketModeFn = func(endpoint string) socketModeRunner {
		return managedSocketMode{client: NewSocketMode(endpoint)}
	}
	return c
}

func (c *Client) get(ctx context.Context, path string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.apiURL+path, nil)
	if err != nil {
		return err
	}
	resp, err := c.httpClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("slack api %s: %s", path, resp.Status)
	}
	return nil
}

func (c *Client) authTest(ctx context.Context) error {
	return c.get(ctx, "/auth.test")
}

func (c *Client) repairWorkspace(ctx context.Context, st Store, workspaceID string) error {
	return c.get(ctx, "/conversations.list?team_id="+workspaceID)
}

func (c *Client) warnLogger() *slog.Logger { return c.logger }

func (c *Client) handleSocketModeEvent(ctx context.Context, st Store, workspaceID string, socketClient socketModeRunner, event Event) error {
	if event.Request != nil {
		socketClient.Ack(*event.Request)
	}
	return st.SetSyncState(ctx, "bot", "event", workspaceID, event.Data)
}

func tickerChan(t *time.Ticker) <-chan time.Time {
	if t == nil {
		return nil
	}
	return t.C
}

func (c *Client) Tail(ctx context.Context, st Store, workspaceID string, repairEvery time.Duration) error {
	if c.appToken == "" {
		return errors.New("SLACK_APP_TOKEN is required for tail")
	}

	if err := c.authTest(ctx); err != nil {
		return err
	}

	socketClient := c.socketModeFn(c.socketURL)
	errCh := make(chan error, 1)
	go func() {
		errCh <- socketClient.Run(ctx)
	}()

	var ticker *time.Ticker
	if repairEvery > 0 {
		ticker = time.NewTicker(repairEvery)
		defer ticker.Stop()
	}

	for {
		select {
		case err := <-errCh:
			return err
		case event := <-socketClient.Events():
			if err := c.handleSocketModeEvent(ctx, st, workspaceID, socketClient, event); err != nil {
				return err
			}
		case <-ctx.Done():
			return ctx.Err()
		case <-tickerChan(ticker):
			if err := c.repairWorkspace(ctx, st, workspaceID); err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				// Repair is a periodic reconciliation sweep; a transient
				// network failure during one tick must not kill a long-running
				// tail daemon. The next tick retries.
				c.warnLogger().Warn("tail repair sweep failed; will retry next interval",
					"workspace_id", workspaceID,
					"err", err,
				)
				continue
			}
			if err := st.SetSyncState(ctx, "tail", "repair", workspaceID, c.now().Format(time.RFC3339)); err != nil {
				return err
			}
		}
	}
}
