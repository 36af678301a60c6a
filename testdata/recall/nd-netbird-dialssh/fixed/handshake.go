// Recall case nd-netbird-dialssh
// Source: github.com/netbirdio/netbird commit ecfbd686b807f2e47295e1dfad3cd86b47af3c84 (client/ssh/handshake.go)
// Link: https://github.com/netbirdio/netbird/commit/ecfbd686b807f2e47295e1dfad3cd86b47af3c84
// Bug: dialSSH bounds only the TCP dial with the caller's ctx (which normally has no deadline) and then runs the SSH handshake (NewClientConn reading the raw conn) with no conn deadline; ClientConfig.Timeout is ignored by NewClientConn, so a peer that accepts and stays silent blocks the client forever.
// Fix: dialSSH derives a context.WithTimeout(ctx, config.Timeout) and the new Handshake helper applies the ctx deadline to the conn (SetDeadline) for the duration of the handshake.
// Rule: nodeadline
package client

import (
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"time"
)

// Handshake runs the SSH client handshake on an already dialed conn and
// returns the resulting client. Dialing bounds only the TCP establishment;
// without a deadline on the socket a peer that accepts and then goes silent
// blocks the handshake forever, so the context deadline is applied to conn
// for the duration of the handshake. conn is closed on any error.
func Handshake(ctx context.Context, conn net.Conn, addr string, config *ClientConfig) (*SSHClient, error) {
	if deadline, ok := ctx.Deadline(); ok {
		if err := conn.SetDeadline(deadline); err != nil {
			closeHandshake(conn, "conn after deadline error")
			return nil, fmt.Errorf("set handshake deadline: %w", err)
		}
	}

	sshConn, err := NewClientConn(conn, addr, config)
	if err != nil {
		closeHandshake(conn, "conn after handshake error")
		return nil, fmt.Errorf("ssh handshake: %w", err)
	}

	if err := conn.SetDeadline(time.Time{}); err != nil {
		closeHandshake(sshConn, "ssh conn after deadline clear error")
		return nil, fmt.Errorf("clear handshake deadline: %w", err)
	}

	return NewClient(sshConn), nil
}

func closeHandshake(c io.Closer, label string) {
	if err := c.Close(); err != nil {
		log.Printf("ssh: close %s: %v", label, err)
	}
}
