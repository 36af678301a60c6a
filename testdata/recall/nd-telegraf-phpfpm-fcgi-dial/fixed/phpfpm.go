// Recall case nd-telegraf-phpfpm-fcgi-dial
// Source: github.com/influxdata/telegraf commit 4c1aa59574a9716ccf3420d425e7354a393bb88b (plugins/inputs/phpfpm/fcgi_client.go)
// Link: https://github.com/influxdata/telegraf/pull/15036
// Bug: newFcgiClient dials php-fpm with net.Dial and stores the conn in conn.rwc with no deadline; Request later reads records from rwc, so an unresponsive php-fpm hangs the gather forever.
// Fix: newFcgiClient takes the plugin timeout, dials with net.DialTimeout and sets con.SetDeadline(now+timeout) before use.
// Rule: nodeadline
package phpfpm

import (
	"errors"
	"io"
	"net"
	"strconv"
	"time"
)

type conn struct {
	rwc io.ReadWriteCloser
}

type phpfpm struct {
	Timeout time.Duration
}

// Create an fcgi client
func newFcgiClient(timeout time.Duration, h string, args ...interface{}) (*conn, error) {
	var con net.Conn
	if len(args) != 1 {
		return nil, errors.New("fcgi: not enough params")
	}

	var err error
	switch args[0].(type) {
	case int:
		addr := h + ":" + strconv.FormatInt(int64(args[0].(int)), 10)
		if timeout == 0 {
			con, err = net.Dial("tcp", addr)
		} else {
			con, err = net.DialTimeout("tcp", addr, timeout)
		}
	default:
		err = errors.New("fcgi: we only accept int (port) or string (socket) params")
	}

	if timeout != 0 {
		if err := con.SetDeadline(time.Now().Add(timeout)); err != nil {
			return nil, err
		}
	}

	fcgi := &conn{
		rwc: con,
	}

	return fcgi, err
}

func (c *conn) Request(requestData string) (retout []byte, err error) {
	defer c.rwc.Close()
	if _, err = c.rwc.Write([]byte(requestData)); err != nil {
		return nil, err
	}
	// receive until EOF or FCGI_END_REQUEST
	return io.ReadAll(c.rwc)
}

func (p *phpfpm) gatherServer(fcgiIP string, fcgiPort int, statusPath string) error {
	fcgi, err := newFcgiClient(p.Timeout, fcgiIP, fcgiPort)
	if err != nil {
		return err
	}
	return p.gatherFcgi(fcgi, statusPath)
}

func (p *phpfpm) gatherFcgi(fcgi *conn, statusPath string) error {
	_, err := fcgi.Request("/" + statusPath)
	return err
}
