// Recall case nd-syncthing-peek
// Source: github.com/syncthing/syncthing commit 5cfb578170fa9001bd4e08f63f0e905e19eef90d (cmd/syncthing/tls.go)
// Link: https://github.com/syncthing/syncthing/commit/5cfb578170fa9001bd4e08f63f0e905e19eef90d
// Bug: DowngradingListener.Accept peeks the first byte of every accepted GUI connection with no read deadline, so a client that connects and sends nothing blocks Accept (and the whole http.Server.Serve loop) forever.
// Fix: set conn.SetReadDeadline(now+1s) before br.Peek(1) and clear it afterwards.
// Rule: nodeadline
package gui

import (
	"bufio"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"time"
)

type DowngradingListener struct {
	net.Listener
	TLSConfig *tls.Config
}

type WrappedConnection struct {
	io.Reader
	net.Conn
}

func (l *DowngradingListener) Accept() (net.Conn, error) {
	conn, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}

	br := bufio.NewReader(conn)
	conn.SetReadDeadline(time.Now().Add(1 * time.Second))
	bs, err := br.Peek(1)
	conn.SetReadDeadline(time.Time{})
	if err != nil {
		// We hit a read error here, but the Accept() call succeeded so we must not return an error.
		// We return the connection as is and let whoever tries to use it deal with the error.
		return conn, nil
	}

	wrapper := &WrappedConnection{br, conn}

	// 0x16 is the first byte of a TLS handshake
	if bs[0] == 0x16 {
		return tls.Server(wrapper, l.TLSConfig), nil
	}

	return wrapper, nil
}

func (c *WrappedConnection) Read(b []byte) (n int, err error) {
	return c.Reader.Read(b)
}

// getListener is reduced from cmd/syncthing/gui.go.
func getListener(address string, tlsCfg *tls.Config) (net.Listener, error) {
	rawListener, err := net.Listen("tcp", address)
	if err != nil {
		return nil, err
	}

	listener := &DowngradingListener{rawListener, tlsCfg}
	return listener, nil
}

// serveGUI is reduced from apiSvc.Serve in cmd/syncthing/gui.go.
func serveGUI(address string, tlsCfg *tls.Config, handler http.Handler) error {
	listener, err := getListener(address, tlsCfg)
	if err != nil {
		return err
	}
	srv := http.Server{
		Handler:     handler,
		ReadTimeout: 10 * time.Second,
	}
	return srv.Serve(listener)
}
