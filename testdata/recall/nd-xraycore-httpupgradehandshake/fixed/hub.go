// Recall case nd-xraycore-httpupgradehandshake
// Source: github.com/XTLS/Xray-core commit c320e89108c73b3d83ace6c2f32db1da7a48e5d4 (transport/internet/httpupgrade/hub.go)
// Link: https://github.com/XTLS/Xray-core/commit/c320e89108c73b3d83ace6c2f32db1da7a48e5d4
// Bug: for every accepted connection, server.upgrade reads the HTTP upgrade request (http.ReadRequest over bufio on the raw net.Conn) with no read deadline, so a client that connects and never sends the request pins the Handle goroutine and the conn forever.
// Fix: upgrade sets conn.SetReadDeadline(now+4s) (cleared afterwards) and limits the header to 12288 bytes, as the websocket transport does; the accept loop also keeps accepting after transient errors.
// Rule: nodeadline
package httpupgrade

import (
	"bufio"
	"context"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"strings"
	"time"
)

// Config stands in for the httpupgrade transport Config.
type Config struct {
	Host string
	Path string
}

func (c *Config) GetNormalizedPath() string {
	if c.Path == "" || c.Path[0] != '/' {
		return "/" + c.Path
	}
	return c.Path
}

// ConnHandler stands in for internet.ConnHandler.
type ConnHandler func(net.Conn)

type connection struct {
	net.Conn
	remoteAddr net.Addr
}

func newConnection(conn net.Conn, remoteAddr net.Addr) *connection {
	return &connection{Conn: conn, remoteAddr: remoteAddr}
}

func (c *connection) RemoteAddr() net.Addr { return c.remoteAddr }

type server struct {
	config         *Config
	addConn        ConnHandler
	innnerListener net.Listener
}

func (s *server) Close() error {
	return s.innnerListener.Close()
}

func (s *server) Addr() net.Addr {
	return nil
}

func (s *server) Handle(conn net.Conn) {
	upgradedConn, err := s.upgrade(conn)
	if err != nil {
		conn.Close()
		log.Printf("failed to handle request: %v", err)
		return
	}
	s.addConn(upgradedConn)
}

// upgrade execute a fake websocket upgrade process and return the available connection
func (s *server) upgrade(conn net.Conn) (net.Conn, error) {
	// timeout and header limit are the same as websocket
	conn.SetReadDeadline(time.Now().Add(time.Second * 4))
	defer conn.SetReadDeadline(time.Time{})
	connReader := bufio.NewReader(io.LimitReader(conn, 12288))

	req, err := http.ReadRequest(connReader)
	if err != nil {
		return nil, err
	}

	if s.config != nil {
		host := req.Host
		if len(s.config.Host) > 0 && host != s.config.Host {
			return nil, errors.New("bad host: " + host)
		}
		path := s.config.GetNormalizedPath()
		if req.URL.Path != path {
			return nil, errors.New("bad path: " + req.URL.Path)
		}
	}

	connection := strings.ToLower(req.Header.Get("Connection"))
	upgrade := strings.ToLower(req.Header.Get("Upgrade"))
	if connection != "upgrade" || upgrade != "websocket" {
		return nil, errors.New("unrecognized request")
	}
	resp := &http.Response{
		Status:     "101 Switching Protocols",
		StatusCode: 101,
		Proto:      "HTTP/1.1",
		ProtoMajor: 1,
		ProtoMinor: 1,
		Header:     http.Header{},
	}
	resp.Header.Set("Connection", "Upgrade")
	resp.Header.Set("Upgrade", "websocket")
	err = resp.Write(conn)
	if err != nil {
		return nil, err
	}

	remoteAddr := conn.RemoteAddr()

	return newConnection(conn, remoteAddr), nil
}

func (s *server) keepAccepting() {
	for {
		conn, err := s.innnerListener.Accept()
		if err != nil {
			errStr := err.Error()
			if strings.Contains(errStr, "closed") {
				break
			}
			log.Printf("failed to accept raw connections: %v", err)
			if strings.Contains(errStr, "too many") {
				time.Sleep(time.Millisecond * 500)
			}
			continue
		}
		go s.Handle(conn)
	}
}

func ListenHTTPUpgrade(ctx context.Context, address string, config *Config, addConn ConnHandler) (*server, error) {
	var lc net.ListenConfig
	listener, err := lc.Listen(ctx, "tcp", address)
	if err != nil {
		return nil, errors.New("failed to listen TCP(for HttpUpgrade) on " + address + ": " + err.Error())
	}
	log.Printf("listening TCP(for HttpUpgrade) on %s", address)

	serverInstance := &server{
		config:         config,
		addConn:        addConn,
		innnerListener: listener,
	}
	go serverInstance.keepAccepting()
	return serverInstance, nil
}
