// Recall case nd-yggdrasil-go-socksdial
// Source: github.com/yggdrasil-network/yggdrasil-go commit 3815b13ad5e03180a737b53afb4170a9d9d0aabd (src/core/tcp.go)
// Link: https://github.com/yggdrasil-network/yggdrasil-go/commit/3815b13ad5e03180a737b53afb4170a9d9d0aabd
// Bug: When a peer is reached through a SOCKS proxy, call dials with the proxy dialer's Dial, which has no timeout, so an unresponsive proxy blocks the calling goroutine indefinitely.
// Fix: Both dial paths use DialContext with a context.WithTimeout(default_timeout) context.
// Rule: nodeadline
package core

import (
	"context"
	"log"
	"net"
	"sync"
	"time"
)

const default_timeout = 6 * time.Second

// Dialer / ContextDialer mirror golang.org/x/net/proxy.
type Dialer interface {
	Dial(network, addr string) (net.Conn, error)
}

type ContextDialer interface {
	DialContext(ctx context.Context, network, addr string) (net.Conn, error)
}

// socks5 is a stand-in for the x/net/proxy SOCKS5 dialer: it connects to the
// proxy and sends the CONNECT request.
type socks5 struct {
	proxyAddr string
}

func SOCKS5(network, address string) (Dialer, error) {
	return &socks5{proxyAddr: address}, nil
}

func (s *socks5) Dial(network, addr string) (net.Conn, error) {
	conn, err := net.Dial(network, s.proxyAddr)
	if err != nil {
		return nil, err
	}
	return s.connect(conn, addr)
}

func (s *socks5) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, network, s.proxyAddr)
	if err != nil {
		return nil, err
	}
	if deadline, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(deadline)
		defer conn.SetDeadline(time.Time{})
	}
	return s.connect(conn, addr)
}

func (s *socks5) connect(conn net.Conn, addr string) (net.Conn, error) {
	if _, err := conn.Write([]byte{0x05, 0x01, 0x00}); err != nil {
		conn.Close()
		return nil, err
	}
	buf := make([]byte, 2)
	if _, err := conn.Read(buf); err != nil {
		conn.Close()
		return nil, err
	}
	return conn, nil
}

type tcpOptions struct {
	socksProxyAddr string
	socksPeerAddr  string
}

type tcp struct {
	mutex     sync.Mutex
	waitgroup sync.WaitGroup
	calls     map[string]struct{}
	logger    *log.Logger
}

func (t *tcp) call(saddr string, options tcpOptions) {
	go func() {
		callname := saddr
		t.mutex.Lock()
		if _, isIn := t.calls[callname]; isIn {
			t.mutex.Unlock()
			return
		}
		t.calls[callname] = struct{}{}
		t.mutex.Unlock()
		defer func() {
			t.mutex.Lock()
			delete(t.calls, callname)
			t.mutex.Unlock()
		}()
		var conn net.Conn
		var err error
		if options.socksProxyAddr != "" {
			dialerdst, er := net.ResolveTCPAddr("tcp", options.socksProxyAddr)
			if er != nil {
				return
			}
			var dialer Dialer
			dialer, err = SOCKS5("tcp", dialerdst.String())
			if err != nil {
				return
			}
			conn, err = dialer.Dial("tcp", saddr)
			if err != nil {
				return
			}
			t.waitgroup.Add(1)
			options.socksPeerAddr = conn.RemoteAddr().String()
			t.handler(conn, false, options)
		} else {
			dst, err := net.ResolveTCPAddr("tcp", saddr)
			if err != nil {
				return
			}
			dialer := net.Dialer{
				Timeout: time.Second * 5,
			}
			conn, err = dialer.Dial("tcp", dst.String())
			if err != nil {
				t.logger.Printf("Failed to dial %s: %s", saddr, err)
				return
			}
			t.waitgroup.Add(1)
			t.handler(conn, false, options)
		}
	}()
}

func (t *tcp) handler(sock net.Conn, incoming bool, options tcpOptions) {
	defer t.waitgroup.Done()
	defer sock.Close()
}
