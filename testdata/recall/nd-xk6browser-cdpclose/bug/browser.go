// Recall case nd-xk6browser-cdpclose
// Source: github.com/grafana/xk6-browser commit 128494e96503f9a3e7e06f2c63af851bfaf984ec (common/browser.go)
// Link: https://github.com/grafana/xk6-browser/commit/128494e96503f9a3e7e06f2c63af851bfaf984ec
// Bug: Browser.Close sends the CDP Browser.close command with b.browserCtx, which derives from the context.Background() given to newBrowserRegistry; if the browser process died but the connection looks alive, Execute waits forever and the k6 iteration never ends.
// Fix: wrap b.browserCtx in context.WithTimeout(..., 10*time.Second) for the Browser.close request.
// Rule: nodeadline
package common

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// Connection is a reduced stand-in for the CDP websocket connection. Execute
// writes the command on the net.Conn and blocks for the reply; the only
// deadline it applies is the one carried by ctx (and it aborts when ctx is done).
type Connection struct {
	mu             sync.Mutex
	conn           net.Conn
	r              *bufio.Reader
	msgID          atomic.Int64
	ignoreIOErrors atomic.Bool
}

func NewConnection(ctx context.Context, wsURL string) (*Connection, error) {
	// websocket.Dialer{HandshakeTimeout: 60 * time.Second} in the real code.
	d := net.Dialer{Timeout: 60 * time.Second}
	conn, err := d.DialContext(ctx, "tcp", wsURL)
	if err != nil {
		return nil, err
	}
	return &Connection{conn: conn, r: bufio.NewReader(conn)}, nil
}

func (c *Connection) IgnoreIOErrors() { c.ignoreIOErrors.Store(true) }

// Execute performs a synchronous send and receive.
func (c *Connection) Execute(ctx context.Context, method string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	dl, _ := ctx.Deadline()
	if err := c.conn.SetDeadline(dl); err != nil {
		return err
	}
	stop := context.AfterFunc(ctx, func() { _ = c.conn.SetDeadline(time.Now()) })
	defer stop()
	msg, err := json.Marshal(map[string]any{"id": c.msgID.Add(1), "method": method})
	if err != nil {
		return err
	}
	if _, err := c.conn.Write(append(msg, '\n')); err != nil {
		return err
	}
	if _, err := c.r.ReadBytes('\n'); err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		return err
	}
	return nil
}

func (c *Connection) Close() {
	_ = c.conn.Close()
}

type BrowserOptions struct {
	isRemoteBrowser bool
}

type Browser struct {
	browserCtx      context.Context
	browserCancelFn context.CancelFunc
	vuCtx           context.Context
	browserOpts     *BrowserOptions
	conn            *Connection
	wsURL           string
	closed          bool
	mu              sync.Mutex
}

func NewBrowser(ctx, vuCtx context.Context, wsURL string, opts *BrowserOptions) (*Browser, error) {
	b := newBrowser(ctx, vuCtx, wsURL, opts)
	if err := b.connect(); err != nil {
		return nil, err
	}
	return b, nil
}

// newBrowser returns a ready to use Browser without connecting to an actual browser.
func newBrowser(ctx, vuCtx context.Context, wsURL string, opts *BrowserOptions) *Browser {
	// The browser needs its own context to correctly close dependencies such
	// as the connection. It cannot rely on the vuCtx since that would close
	// the connection too early.
	ctx, cancelFn := context.WithCancel(ctx)
	return &Browser{
		browserCtx:      ctx,
		browserCancelFn: cancelFn,
		vuCtx:           vuCtx,
		browserOpts:     opts,
		wsURL:           wsURL,
	}
}

func (b *Browser) connect() error {
	var err error
	b.conn, err = NewConnection(b.browserCtx, b.wsURL)
	if err != nil {
		return fmt.Errorf("connecting to browser DevTools URL: %w", err)
	}
	return nil
}

// Close shuts down the browser.
func (b *Browser) Close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return
	}
	b.closed = true
	defer b.browserCancelFn()

	b.conn.IgnoreIOErrors()

	// If the browser is not being executed remotely, send the Browser.close CDP
	// command, which triggers the browser process to exit.
	if !b.browserOpts.isRemoteBrowser {
		// Using a internal context here since vu context will very likely be
		// closed.
		err := b.conn.Execute(b.browserCtx, "Browser.close")
		if err != nil {
			log.Printf("Browser:Close: closing the browser: %v", err)
		}
	}

	b.conn.Close()
}

// browserRegistry keeps one Browser per VU iteration.
type browserRegistry struct {
	ctx     context.Context
	mu      sync.Mutex
	m       map[int64]*Browser
	buildFn func(ctx, vuCtx context.Context) (*Browser, error)
}

func newBrowserRegistry(ctx context.Context, wsURL string) *browserRegistry {
	builder := func(ctx, vuCtx context.Context) (*Browser, error) {
		return NewBrowser(ctx, vuCtx, wsURL, &BrowserOptions{})
	}
	return &browserRegistry{ctx: ctx, m: make(map[int64]*Browser), buildFn: builder}
}

func (r *browserRegistry) handleIterStart(vuCtx context.Context, id int64) error {
	b, err := r.buildFn(r.ctx, vuCtx)
	if err != nil {
		return err
	}
	r.mu.Lock()
	r.m[id] = b
	r.mu.Unlock()
	return nil
}

func (r *browserRegistry) handleIterEnd(id int64) {
	r.mu.Lock()
	b, ok := r.m[id]
	delete(r.m, id)
	r.mu.Unlock()
	if ok {
		b.Close()
	}
}

// NewModuleInstance mirrors browser/module.go, which hands context.Background()
// to newBrowserRegistry.
func NewModuleInstance(wsURL string) *browserRegistry {
	return newBrowserRegistry(context.Background(), wsURL)
}
