package connreads

import (
	"bufio"
	"io"
	"net"
	"time"
)

// Connections a helper of the package dials and returns, read by its
// callers (paho's openConnection and connectMQTT).

func openConnection(addr string, dialer *net.Dialer) (net.Conn, error) {
	conn, err := dialer.Dial("tcp", addr) // want `the connection from \(\*net.Dialer\).Dial is read with no deadline`
	if err != nil {
		return nil, err
	}
	return conn, nil
}

func readAck(r io.Reader) (byte, error) {
	b := make([]byte, 1)
	_, err := io.ReadFull(r, b)
	return b[0], err
}

// Each attempt keeps the connection in the same variable.
func attemptConnection(addrs []string) (net.Conn, error) {
	var conn net.Conn
	var err error
	for _, addr := range addrs {
		conn, err = openConnection(addr, &net.Dialer{Timeout: 30 * time.Second})
		if err != nil {
			continue
		}
		if _, err = readAck(conn); err == nil {
			break
		}
		conn.Close()
	}
	return conn, err
}

func connect(addrs []string) error {
	conn, err := attemptConnection(addrs)
	if err != nil {
		return err
	}
	return conn.Close()
}

// Negatives.

func openBounded(addr string) (net.Conn, error) {
	return net.DialTimeout("tcp", addr, time.Second)
}

// The caller bounds the handshake.
func handshakeBounded(addr string, timeout time.Duration) (byte, error) {
	conn, err := openBounded(addr)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(timeout))
	return readAck(bufio.NewReader(conn))
}

// Dialed for callers outside the package: theirs to bound.
func Open(addr string) (net.Conn, error) {
	return net.DialTimeout("tcp", addr, time.Second)
}

// A write deadline bounds the write, not the read of the reply.
func command(addr string, cmd []byte) (byte, error) {
	conn, err := net.DialTimeout("tcp", addr, time.Second) // want `the connection from net.DialTimeout is read with no deadline`
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	conn.SetWriteDeadline(time.Now().Add(time.Second))
	if _, err := conn.Write(cmd); err != nil {
		return 0, err
	}
	return readAck(conn)
}
