// Recall case sd-trufflehog-mongoverify
// Source: github.com/trufflesecurity/trufflehog commit 75557f61edd594c5f3ce8098625ebbe3267f0ec2 (pkg/detectors/mongodb/mongodb.go; local stand-in for go.mongodb.org/mongo-driver)
// Link: https://github.com/trufflesecurity/trufflehog/commit/75557f61edd594c5f3ce8098625ebbe3267f0ec2
// Bug: FromData receives the scan ctx but verifyUri builds its own budget with context.WithTimeout(context.Background(), timeout) for the MongoDB connect/ping/disconnect, so cancelling or timing out the scan does not stop verification.
// Fix: verifyUri takes the caller's ctx and derives its timeout from it (context.WithTimeout(ctx, timeout)).
// Rule: sharedeadline
package mongodb

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"
)

// authError stands in for the driver's *auth.Error.
type authError struct{ msg string }

func (e *authError) Error() string { return "auth error: " + e.msg }

// mongoClient is a tiny stand-in for *mongo.Client: one TCP connection.
type mongoClient struct {
	conn net.Conn
	user string
	pass string
}

// mongoConnect dials the first host in the URI with the given context.
func mongoConnect(ctx context.Context, uri string, timeout time.Duration) (*mongoClient, error) {
	u, err := url.Parse(uri)
	if err != nil {
		return nil, err
	}
	host := strings.Split(u.Host, ",")[0]
	if !strings.Contains(host, ":") {
		host += ":27017"
	}
	d := net.Dialer{Timeout: timeout}
	conn, err := d.DialContext(ctx, "tcp", host)
	if err != nil {
		return nil, fmt.Errorf("connection error: %w", err)
	}
	pass, _ := u.User.Password()
	return &mongoClient{conn: conn, user: u.User.Username(), pass: pass}, nil
}

// Ping authenticates and pings the server, honouring the ctx deadline.
func (c *mongoClient) Ping(ctx context.Context) error {
	if dl, ok := ctx.Deadline(); ok {
		_ = c.conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { _ = c.conn.SetDeadline(time.Now()) })
	defer stop()
	if _, err := fmt.Fprintf(c.conn, "AUTH %s %s\nPING\n", c.user, c.pass); err != nil {
		return err
	}
	line, err := bufio.NewReader(c.conn).ReadString('\n')
	if err != nil {
		return err
	}
	if strings.HasPrefix(line, "AUTHFAIL") {
		return &authError{msg: strings.TrimSpace(line)}
	}
	if !strings.HasPrefix(line, "PONG") {
		return errors.New("unexpected reply: " + line)
	}
	return nil
}

// Disconnect closes the connection.
func (c *mongoClient) Disconnect(ctx context.Context) error {
	return c.conn.Close()
}
