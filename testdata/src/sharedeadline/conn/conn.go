package conn

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"time"
)

// --- reported: connection budgets that ignore the caller's deadline ---

func ping(ctx context.Context, addr string) error {
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second)) // want `SetDeadline\(time.Now\(\).Add\(10 \* time.Second\)\) ignores ctx's deadline: the connection may wait past the caller's budget; use the earlier of the two \(ctx.Deadline\(\)\)`
	_, err = c.Write([]byte("ping"))
	return err
}

// The fix declares a fresh name when deadline is taken, also later in the block.
func checked(ctx context.Context, addr string, timeout time.Duration) error {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.SetReadDeadline(time.Now().Add(timeout)); err != nil { // want `SetReadDeadline\(time.Now\(\).Add\(timeout\)\) ignores ctx's deadline`
		return err
	}
	deadline := "unused"
	_ = deadline
	_, err = c.Read(make([]byte, 1))
	return err
}

func handshake(w http.ResponseWriter, r *http.Request) {
	c, err := tls.Dial("tcp", "example.com:443", nil)
	if err != nil {
		return
	}
	defer c.Close()
	switch {
	case r.Method == "GET":
		c.SetWriteDeadline(time.Now().Add(time.Second)) // want `SetWriteDeadline\(time.Now\(\).Add\(time.Second\)\) ignores r.Context\(\)'s deadline`
	}
}

// No fix where the statement cannot be preceded by others.
func noFix(ctx context.Context, addr string) error {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	for c.SetDeadline(time.Now().Add(time.Second)) != nil { // want `SetDeadline\(time.Now\(\).Add\(time.Second\)\) ignores ctx's deadline`
	}
	return nil
}

// --- not reported ---

func honoursCtx(ctx context.Context, addr string) error {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	deadline := time.Now().Add(10 * time.Second)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	c.SetDeadline(deadline)
	c.SetReadDeadline(time.Now().Add(time.Second))
	return nil
}

// Closing the connection when ctx is done also honours it.
func watchesDone(ctx context.Context, addr string) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return
	}
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	c.SetDeadline(time.Now().Add(time.Minute))
}

func watch(ctx context.Context, c net.Conn) func() { return func() {} }

// A helper given both ctx and the connection may close it on cancellation.
func helperWatches(ctx context.Context, addr string) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return
	}
	defer watch(ctx, c)()
	c.SetDeadline(time.Now().Add(time.Minute))
}

func noCtx(addr string) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return
	}
	c.SetDeadline(time.Now().Add(10 * time.Second))
}

// An accepted connection: the server sets its own budget.
func accepted(ctx context.Context, c net.Conn) {
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
}

func serve(ctx context.Context, l net.Listener) {
	c, err := l.Accept()
	if err != nil {
		return
	}
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
}
