// Recall case uw-tailscale-safesocket
// Source: github.com/tailscale/tailscale commit e1078686b3d821be75e0b827b9015cb5761a6f92 (safesocket/safesocket.go)
// Link: https://github.com/tailscale/tailscale/commit/e1078686b3d821be75e0b827b9015cb5761a6f92
// Bug: ConnectContext's retry loop (while tailscaled is still starting) sleeps with time.Sleep(250ms), so a caller whose ctx is cancelled or times out keeps blocking through the sleep instead of returning promptly.
// Fix: the sleep is replaced by a select on ctx.Done() (returning ctx.Err()) and time.After(250ms).
// Rule: uncancellablewait
package safesocket

import (
	"context"
	"net"
	"time"
)

var processStartTime = time.Now()
var tailscaledProcExists = func() bool { return false } // set by safesocket_ps.go

// tailscaledStillStarting reports whether tailscaled is probably
// still starting up. That is, it reports whether the caller should
// keep retrying to connect.
func tailscaledStillStarting() bool {
	d := time.Since(processStartTime)
	if d < 2*time.Second {
		// Without even checking the process table, assume
		// that for the first two seconds that tailscaled is
		// probably still starting.
		return true
	}
	if d > 5*time.Second {
		return false
	}
	return tailscaledProcExists()
}

// ConnectContext connects to tailscaled using a unix socket or named pipe.
func ConnectContext(ctx context.Context, path string) (net.Conn, error) {
	for {
		c, err := connect(ctx, path)
		if err != nil && tailscaledStillStarting() {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(250 * time.Millisecond):
			}
			continue
		}
		return c, err
	}
}

// connect is the unix implementation (safesocket/unixsocket.go).
func connect(ctx context.Context, path string) (net.Conn, error) {
	var std net.Dialer
	return std.DialContext(ctx, "unix", path)
}

// Client is a stand-in for tailscale.com/client/local.Client, whose dialer
// connects to tailscaled's socket through ConnectContext.
type Client struct {
	Socket string
}

func (lc *Client) defaultDialer(ctx context.Context, network, addr string) (net.Conn, error) {
	return ConnectContext(ctx, lc.Socket)
}

// Status dials tailscaled with a bounded context.
func (lc *Client) Status(parent context.Context) error {
	ctx, cancel := context.WithTimeout(parent, 5*time.Second)
	defer cancel()
	c, err := lc.defaultDialer(ctx, "unix", lc.Socket)
	if err != nil {
		return err
	}
	return c.Close()
}
