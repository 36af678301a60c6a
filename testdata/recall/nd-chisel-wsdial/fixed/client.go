// Recall case nd-chisel-wsdial
// Source: github.com/jpillora/chisel commit 36d5e41ac8e6b416a9679b4feeb8c5d980162dce (client/client.go)
// Link: https://github.com/jpillora/chisel/commit/36d5e41ac8e6b416a9679b4feeb8c5d980162dce
// Bug: Client.loop builds a websocket.Dialer without HandshakeTimeout, so Dialer.Dial to a rebooted/half-open server dials and reads the upgrade response with no deadline and the reconnect loop hangs forever
// Fix: set HandshakeTimeout on the websocket.Dialer (to the backoff duration)
// Rule: nodeadline
package chisel

import (
	"bufio"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/url"
	"time"
)

// Dialer is a reduced stand-in for gorilla/websocket.Dialer (2017): it dials
// TCP and performs the HTTP upgrade handshake, applying HandshakeTimeout (if
// non-zero) as a deadline to both the dial and the handshake I/O.
type Dialer struct {
	HandshakeTimeout time.Duration
	ReadBufferSize   int
	WriteBufferSize  int
	Subprotocols     []string
}

// Dial mirrors gorilla/websocket's deadline handling: a zero HandshakeTimeout
// means a zero deadline, i.e. no deadline at all.
func (d *Dialer) Dial(urlStr string, requestHeader http.Header) (net.Conn, *http.Response, error) {
	u, err := url.Parse(urlStr)
	if err != nil {
		return nil, nil, err
	}
	var deadline time.Time
	if d.HandshakeTimeout != 0 {
		deadline = time.Now().Add(d.HandshakeTimeout)
	}
	netDialer := &net.Dialer{Deadline: deadline}
	netConn, err := netDialer.Dial("tcp", u.Host)
	if err != nil {
		return nil, nil, err
	}
	if err := netConn.SetDeadline(deadline); err != nil {
		netConn.Close()
		return nil, nil, err
	}
	req := &http.Request{
		Method:     "GET",
		URL:        &url.URL{Scheme: "http", Host: u.Host, Path: u.Path},
		Proto:      "HTTP/1.1",
		ProtoMajor: 1,
		ProtoMinor: 1,
		Header:     http.Header{},
		Host:       u.Host,
	}
	for k, vs := range requestHeader {
		req.Header[k] = vs
	}
	req.Header.Set("Upgrade", "websocket")
	req.Header.Set("Connection", "Upgrade")
	req.Header.Set("Sec-WebSocket-Version", "13")
	req.Header.Set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
	for _, p := range d.Subprotocols {
		req.Header.Add("Sec-WebSocket-Protocol", p)
	}
	if err := req.Write(netConn); err != nil {
		netConn.Close()
		return nil, nil, err
	}
	resp, err := http.ReadResponse(bufio.NewReaderSize(netConn, d.ReadBufferSize+16), req)
	if err != nil {
		netConn.Close()
		return nil, nil, err
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		netConn.Close()
		return nil, resp, fmt.Errorf("websocket: bad handshake")
	}
	if err := netConn.SetDeadline(time.Time{}); err != nil {
		netConn.Close()
		return nil, resp, err
	}
	return netConn, resp, nil
}

// Backoff is a reduced stand-in for jpillora/backoff.
type Backoff struct {
	Max      time.Duration
	attempts int
}

func (b *Backoff) Duration() time.Duration {
	d := 100 * time.Millisecond << uint(b.attempts)
	b.attempts++
	if b.Max > 0 && d > b.Max {
		d = b.Max
	}
	return d
}

func (b *Backoff) Reset() { b.attempts = 0 }

type Config struct {
	MaxRetryInterval time.Duration
}

type Client struct {
	config   *Config
	server   string
	running  bool
	runningc chan struct{}
	// serve stands in for the SSH handshake + session that runs over the
	// websocket connection once it is established (not part of this case).
	serve func(net.Conn) error
}

const protocolVersion = "chisel-v2"

func (c *Client) loop() {
	//connection loop!
	var connerr error
	b := &Backoff{Max: c.config.MaxRetryInterval}
	for {
		//NOTE: break == dont retry on handshake failures
		if !c.running {
			break
		}
		if connerr != nil {
			log.Printf("Connection error: %s", connerr)
			connerr = nil
			// (upstream sleeps b.Duration() here before retrying; elided)
		}
		d := Dialer{
			ReadBufferSize:   1024,
			WriteBufferSize:  1024,
			HandshakeTimeout: b.Duration(),
			Subprotocols:     []string{protocolVersion},
		}
		wsConn, _, err := d.Dial(c.server, nil)
		if err != nil {
			connerr = err
			continue
		}
		//connected
		b.Reset()
		err = c.serve(wsConn)
		wsConn.Close()
		if err != nil {
			connerr = err
			continue
		}
		log.Printf("Disconnected\n")
	}
	close(c.runningc)
}
