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

	// Initialize the client
	c.client = &chronyClient{Connection: c.conn}

	return nil
}

func (c *Chrony) gatherTracking() error {
	_, err := c.client.Communicate([]byte("tracking"))
	return err
}
