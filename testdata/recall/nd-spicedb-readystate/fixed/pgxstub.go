// Recall case nd-spicedb-readystate
// Source: github.com/authzed/spicedb commit c77e4fa14b697a27a5d03999a8d527b937ac5de2 (internal/datastore/crdb/migrations/driver.go, internal/datastore/crdb/crdb.go, pkg/datastore/context.go)
// Link: https://github.com/authzed/spicedb/commit/c77e4fa14b697a27a5d03999a8d527b937ac5de2
// Bug: crdbDatastore.ReadyState calls migrations.NewCRDBDriver, which dials CockroachDB with pgx.ConnectConfig(context.Background()), and ctxProxy.ReadyState strips the 500ms health-check deadline with context.WithoutCancel, so the readiness probe can hang forever on an unreachable DB.
// Fix: NewCRDBDriver takes ctx and passes it to pgx.ConnectConfig; ReadyState forwards ctx and the proxy no longer removes the deadline.
// Rule: nodeadline
package readystate

// Stand-in for github.com/jackc/pgx/v5: a connection is a net.Conn dialed with the
// caller's ctx (pgconn's default dialer has no Timeout unless connect_timeout is set),
// and every operation is interrupted when its ctx is done, like pgx's ctxwatch.

import (
	"bufio"
	"context"
	"errors"
	"net"
	"net/url"
	"strings"
	"time"
)

// ConnConfig mirrors pgx.ConnConfig.
type ConnConfig struct {
	Host     string
	Port     string
	Database string
}

// ParseConfig mirrors pgx.ParseConfig.
func ParseConfig(connString string) (*ConnConfig, error) {
	u, err := url.Parse(connString)
	if err != nil {
		return nil, err
	}
	port := u.Port()
	if port == "" {
		port = "26257"
	}
	return &ConnConfig{Host: u.Hostname(), Port: port, Database: strings.TrimPrefix(u.Path, "/")}, nil
}

// Conn mirrors pgx.Conn.
type Conn struct {
	nc net.Conn
	br *bufio.Reader
}

// ConnectConfig mirrors pgx.ConnectConfig: it dials with ctx and performs the startup exchange under ctx.
func ConnectConfig(ctx context.Context, cfg *ConnConfig) (*Conn, error) {
	dialer := &net.Dialer{KeepAlive: 5 * time.Minute}
	nc, err := dialer.DialContext(ctx, "tcp", net.JoinHostPort(cfg.Host, cfg.Port))
	if err != nil {
		return nil, err
	}
	c := &Conn{nc: nc, br: bufio.NewReader(nc)}
	if _, err := c.roundTrip(ctx, "startup database="+cfg.Database); err != nil {
		nc.Close()
		return nil, err
	}
	return c, nil
}

// roundTrip writes one message and reads one line, aborting the I/O when ctx is done.
func (c *Conn) roundTrip(ctx context.Context, msg string) (string, error) {
	stop := context.AfterFunc(ctx, func() {
		_ = c.nc.SetDeadline(time.Unix(1, 0))
	})
	defer stop()

	if _, err := c.nc.Write([]byte(msg + "\n")); err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		return "", err
	}
	line, err := c.br.ReadString('\n')
	if err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		return "", err
	}
	return strings.TrimSuffix(line, "\n"), nil
}

// Row mirrors pgx.Row.
type Row struct {
	val string
	err error
}

// Scan mirrors pgx.Row.Scan for a single string column.
func (r *Row) Scan(dest *string) error {
	if r.err != nil {
		return r.err
	}
	if r.val == "" {
		return errors.New("no rows in result set")
	}
	*dest = r.val
	return nil
}

// QueryRow mirrors pgx.Conn.QueryRow.
func (c *Conn) QueryRow(ctx context.Context, sql string) *Row {
	v, err := c.roundTrip(ctx, sql)
	return &Row{val: v, err: err}
}

// Close mirrors pgx.Conn.Close: it sends Terminate under ctx and closes the socket.
func (c *Conn) Close(ctx context.Context) error {
	stop := context.AfterFunc(ctx, func() {
		_ = c.nc.SetDeadline(time.Unix(1, 0))
	})
	defer stop()
	_, _ = c.nc.Write([]byte("terminate\n"))
	return c.nc.Close()
}
