// Package writedeadlineknown sets write deadlines where it means to: its
// other writes are its own business.
package writedeadlineknown

import (
	"io"
	"net"
	"time"
)

func fetch(addr string, req []byte, timeout time.Duration) ([]byte, error) {
	conn, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	conn.SetReadDeadline(time.Now().Add(timeout))
	if _, err := conn.Write(req); err != nil {
		return nil, err
	}
	return io.ReadAll(conn)
}

func ping(conn net.Conn, d time.Duration) error {
	conn.SetWriteDeadline(time.Now().Add(d))
	_, err := conn.Write([]byte("PING\r\n"))
	return err
}
