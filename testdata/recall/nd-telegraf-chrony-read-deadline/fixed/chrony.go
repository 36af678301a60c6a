// Recall case nd-telegraf-chrony-read-deadline
// Source: github.com/influxdata/telegraf commit 86ae065a52a32c0fd62a46c85c446ca090c0f72b (plugins/inputs/chrony/chrony.go)
// Link: https://github.com/influxdata/telegraf/pull/19223
// Bug: Start dials chronyd with net.DialTimeout but stores the bare conn in the chrony client's Connection field; every Communicate() later blocks in Read with no deadline, so a lost UDP reply stalls collection forever.
// Fix: the client gets a deadlineConn wrapper that calls SetReadDeadline(now+timeout) before each Read.
// Rule: nodeadline
package chrony

import (
	"io"
	"net"
	"time"
)

// chronyClient stands in for github.com/facebook/time/ntp/chrony.Client.
type chronyClient struct {
	Connection io.ReadWriter
}

func (c *chronyClient) Communicate(req []byte) ([]byte, error) {
	if _, err := c.Connection.Write(req); err != nil {
		return nil, err
	}
	buf := make([]byte, 1024)
	n, err := c.Connection.Read(buf)
	return buf[:n], err
}

type Chrony struct {
	Server  string
	Timeout time.Duration

	conn   net.Conn
	client *chronyClient
}

func (c *Chrony) Start() error {
	conn, err := net.DialTimeout("udp", c.Server, c.Timeout)
	if err != nil {
		return err
	}
	c.conn = conn

	// Initialize the client, bounding each request by the configured timeout so
	// a lost response cannot block collection indefinitely.
	c.client = &chronyClient{Connection: &deadlineConn{Conn: c.conn, timeout: c.Timeout}}

	return nil
}

func (c *Chrony) gatherTracking() error {
	_, err := c.client.Communicate([]byte("tracking"))
	return err
}

// deadlineConn applies a read deadline before each read so a query to chronyd
// cannot block forever if the response is lost.
type deadlineConn struct {
	net.Conn
	timeout time.Duration
}

func (c *deadlineConn) Read(b []byte) (int, error) {
	if c.timeout > 0 {
		if err := c.SetReadDeadline(time.Now().Add(c.timeout)); err != nil {
			return 0, err
		}
	}
	return c.Conn.Read(b)
}
