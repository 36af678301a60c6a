package helpers

import (
	"context"
	"net"
	"time"
)

// A context the function makes for its work with a stop it hands out
// binds the waits it calls as a caller's context does: a
// helper that starts its own root escapes it (nuts-node's connect loop
// made a WithCancel context for stop() to cancel and gave it to every
// backoff sleep, while tryConnect dialled under its own budget).

type connector struct {
	addr    string
	timeout time.Duration
	stop    context.CancelFunc
}

func (c *connector) start() {
	var loopCtx context.Context
	loopCtx, c.stop = context.WithCancel(context.Background())
	go func() {
		for loopCtx.Err() == nil {
			conn, err := c.tryConnect() // want `\(\*helpers.connector\).tryConnect starts its own context.WithTimeout\(context.Background\(\), …\), which reaches \(\*net.Dialer\).DialContext: the wait ignores loopCtx's deadline and cancellation; pass loopCtx to it`
			if err == nil {
				conn.Close()
			}
			pause(loopCtx, time.Second)
		}
	}()
}

func (c *connector) tryConnect() (net.Conn, error) {
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	var d net.Dialer
	return d.DialContext(ctx, "tcp", c.addr)
}

func pause(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

// Negatives.

// Only the function's own return cancels this context: nothing can end it
// while the helper waits.
func (c *connector) probeOnce() bool {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	conn, err := c.tryConnect()
	if err != nil {
		return false
	}
	defer conn.Close()
	pause(ctx, time.Millisecond)
	return true
}

// A budget of the function's own for one stage; the helper bounds its
// dial with another (aperture's NewNodeConn: a store timeout, then the
// dial's): a split by design, not a stop that cannot reach the dial.
func (c *connector) probeAll(addrs []string) int {
	jobCtx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	up := 0
	for range addrs {
		if conn, err := c.tryConnect(); err == nil {
			conn.Close()
			up++
		}
		pause(jobCtx, time.Millisecond)
	}
	return up
}

// A stop the function hands out, but gives its context to nothing: not
// the work's.
func (c *connector) probeUnused() bool {
	_, cancel := context.WithCancel(context.Background())
	c.stop = cancel
	conn, err := c.tryConnect()
	if err != nil {
		return false
	}
	conn.Close()
	return true
}
