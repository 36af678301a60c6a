// Recall case sd-pionice-mdnsquery
// Source: github.com/pion/ice commit 71ac5557aba51f33db24b5316c9e6b8e439f1393 (agent.go)
// Link: https://github.com/pion/ice/commit/71ac5557aba51f33db24b5316c9e6b8e439f1393
// Bug: Agent.resolveAndAddMulticastCandidate calls a.mDNSConn.Query(context.TODO(), c.Address()) although the candidate (a context.Context closed with the candidate) is in scope, so the multicast query goroutine blocks forever when nobody answers.
// Fix: pass the candidate context, a.mDNSConn.Query(c.context(), c.Address()), so the query is cancelled when the candidate is closed.
// Rule: sharedeadline
package ice

import (
	"context"
	"errors"
	"net"
	"strings"
	"time"
)

// mdnsConn stands in for github.com/pion/mdns Conn. Query sends a question to
// the multicast group and waits for an answer; like the real library it only
// stops waiting when ctx is done.
type mdnsConn struct {
	pc  net.PacketConn
	dst net.Addr
}

var errNoAnswer = errors.New("mdns: no answer")

func (c *mdnsConn) Query(ctx context.Context, name string) (string, net.Addr, error) {
	if _, err := c.pc.WriteTo([]byte("Q "+name), c.dst); err != nil {
		return "", nil, err
	}
	if dl, ok := ctx.Deadline(); ok {
		if err := c.pc.SetReadDeadline(dl); err != nil {
			return "", nil, err
		}
	}
	stop := context.AfterFunc(ctx, func() {
		_ = c.pc.SetReadDeadline(time.Now())
	})
	defer stop()

	buf := make([]byte, 1500)
	for {
		n, src, err := c.pc.ReadFrom(buf)
		if err != nil {
			if ctx.Err() != nil {
				return "", nil, ctx.Err()
			}
			return "", nil, err
		}
		if answer := string(buf[:n]); strings.HasPrefix(answer, "A "+name) {
			return answer, src, nil
		}
	}
}
