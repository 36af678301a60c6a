package carrier

import (
	"context"
	"net"
	"sync"
	"time"
)

// A command request that carries its caller's context in an exported
// field (kubo's cmds.Request{Context}) puts it in scope; a helper that
// fetches every address in a goroutine it waits for, each under a fresh
// 10 s budget, cuts it off. (kubo's own helper only resolved DNS names,
// which the system bounds: no Root, as for go-redis' endpoint detection.)
type Request struct {
	Context   context.Context
	Arguments []string
}

func swarmConnect(req *Request) ([]string, error) {
	return resolveAddresses(req.Arguments) // want `carrier.resolveAddresses starts its own context.WithTimeout\(context.Background\(\), …\), which reaches \(\*net.Dialer\).DialContext via the func literal in carrier.resolveAddresses: the wait ignores req.Context's deadline and cancellation; pass req.Context to it`
}

func resolveAddresses(addrs []string) ([]string, error) {
	var (
		mu  sync.Mutex
		out []string
		wg  sync.WaitGroup
	)
	errC := make(chan error, len(addrs))
	for _, a := range addrs {
		wg.Add(1)
		go func(a string) {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			var d net.Dialer
			conn, err := d.DialContext(ctx, "tcp", a)
			cancel()
			if err != nil {
				errC <- err
				return
			}
			conn.Close()
			mu.Lock()
			out = append(out, a)
			mu.Unlock()
		}(a)
	}
	wg.Wait()
	close(errC)
	return out, <-errC
}

// Not reported: a goroutine the helper does not wait for is detached work
// of its own.
func swarmConnectBackground(req *Request) {
	warmCache(req.Arguments)
}

func warmCache(addrs []string) {
	for _, a := range addrs {
		go func(a string) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			var d net.Dialer
			if conn, err := d.DialContext(ctx, "tcp", a); err == nil {
				conn.Close()
			}
		}(a)
	}
}

// Not reported: the receiver's context field is the object's own
// lifetime, not a caller's.
type resolver struct {
	Context context.Context
}

func (r *resolver) refresh(addrs []string) ([]string, error) {
	return resolveAddresses(addrs)
}
