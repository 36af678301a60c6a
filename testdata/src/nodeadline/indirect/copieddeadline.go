package indirect

import (
	"context"
	"net"
)

func dialVia(ctx context.Context, addr string) (net.Conn, error) {
	var d net.Dialer
	return d.DialContext(ctx, "tcp", addr)
}

// Not reported: a fresh context that takes the caller's deadline when there
// is one (boulder's multiSource, which let its Redis lookup outlive a
// cancelled request): where the caller has none, it had none to give.
func secondary(ctx context.Context, addr string) (net.Conn, error) {
	lookupCtx := context.Background()
	if deadline, ok := ctx.Deadline(); ok {
		var cancel context.CancelFunc
		lookupCtx, cancel = context.WithDeadline(lookupCtx, deadline)
		defer cancel()
	}
	return dialVia(lookupCtx, addr)
}
