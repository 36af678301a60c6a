// Recall case tl-xk6browser-action
// Source: github.com/grafana/xk6-browser commit 529532ec9371b0f283bca1b377c5481e7ad24f7c (common/element_handle.go, common/helpers.go)
// Link: https://github.com/grafana/xk6-browser/commit/529532ec9371b0f283bca1b377c5481e7ad24f7c
// Bug: call() runs the action built by ElementHandle.newAction in a goroutine and stops reading resultCh/errCh (both unbuffered) once its timeout ctx is done; the action goroutine then blocks forever on `errCh <- err` / `resultCh <- res`.
// Fix: the action goroutine sends inside a select that also returns on <-apiCtx.Done().
// Rule: timeoutleak
package common

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// Connection is a reduced stand-in for the CDP websocket session. Execute
// writes the command on the net.Conn and blocks for the reply; the only
// deadline it applies is the one carried by ctx (and it aborts when ctx is done).
type Connection struct {
	mu    sync.Mutex
	conn  net.Conn
	r     *bufio.Reader
	msgID atomic.Int64
}

func (c *Connection) Execute(ctx context.Context, method string, params any) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	dl, _ := ctx.Deadline()
	if err := c.conn.SetDeadline(dl); err != nil {
		return "", err
	}
	stop := context.AfterFunc(ctx, func() { _ = c.conn.SetDeadline(time.Now()) })
	defer stop()
	msg, err := json.Marshal(map[string]any{"id": c.msgID.Add(1), "method": method, "params": params})
	if err != nil {
		return "", err
	}
	if _, err := c.conn.Write(append(msg, '\n')); err != nil {
		return "", err
	}
	line, err := c.r.ReadString('\n')
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return "", ctxErr
		}
		return "", err
	}
	return line, nil
}

const resultDone = "done"

type elementHandleActionFunc func(context.Context, *ElementHandle) (any, error)

type ElementHandle struct {
	ctx            context.Context
	session        *Connection
	defaultTimeout time.Duration
}

func (h *ElementHandle) eval(ctx context.Context, js string, args ...any) (any, error) {
	return h.session.Execute(ctx, "Runtime.callFunctionOn", map[string]any{"functionDeclaration": js, "arguments": args})
}

func (h *ElementHandle) focus(apiCtx context.Context, resetSelectionIfNotFocused bool) error {
	fn := `
		(node, injected, resetSelectionIfNotFocused) => {
			return injected.focusNode(node, resetSelectionIfNotFocused);
		}
	`
	result, err := h.eval(apiCtx, fn, resetSelectionIfNotFocused)
	if err != nil {
		return err
	}
	s, ok := result.(string)
	if !ok {
		return fmt.Errorf("unexpected type %T", result)
	}
	if s != resultDone {
		return errors.New(s)
	}
	return nil
}

// Focus scrolls element into view and focuses the element.
func (h *ElementHandle) Focus() error {
	focus := func(apiCtx context.Context, handle *ElementHandle) (any, error) {
		return nil, handle.focus(apiCtx, false)
	}
	timeout := h.defaultTimeout
	focusAction := h.newAction(
		[]string{}, focus, false, true, timeout,
	)
	if _, err := call(h.ctx, focusAction, timeout); err != nil {
		return fmt.Errorf("focusing on element: %w", err)
	}
	return nil
}

func (h *ElementHandle) newAction(
	states []string, fn elementHandleActionFunc, force, noWaitAfter bool, timeout time.Duration,
) func(apiCtx context.Context, resultCh chan any, errCh chan error) {
	actionFn := func(apiCtx context.Context) (any, error) {
		res, err := fn(apiCtx, h)
		if err != nil {
			return nil, err
		}
		return res, nil
	}

	return func(apiCtx context.Context, resultCh chan any, errCh chan error) {
		if res, err := actionFn(apiCtx); err != nil {
			select {
			case <-apiCtx.Done():
			case errCh <- err:
			}
		} else {
			select {
			case <-apiCtx.Done():
			case resultCh <- res:
			}
		}
	}
}

func call(
	ctx context.Context, fn func(context.Context, chan any, chan error), timeout time.Duration,
) (any, error) {
	var (
		result   any
		err      error
		cancelFn context.CancelFunc
		resultCh = make(chan any)
		errCh    = make(chan error)
	)
	if timeout > 0 {
		ctx, cancelFn = context.WithTimeout(ctx, timeout)
		defer cancelFn()
	}

	go fn(ctx, resultCh, errCh)

	select {
	case <-ctx.Done():
		err = fmt.Errorf("timed out after %s: %w", timeout, ctx.Err())
	case result = <-resultCh:
	case err = <-errCh:
	}

	return result, err
}
