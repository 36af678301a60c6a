// Recall case nd-go-xmpp-dial
// Source: github.com/xmppo/go-xmpp commit 6ce44c1b378201046a6f6885be8421a2c6d81f92 (xmpp.go)
// Link: https://github.com/xmppo/go-xmpp/commit/6ce44c1b378201046a6f6885be8421a2c6d81f92
// Bug: connect() opens the TCP connection to the XMPP server (or HTTP proxy) with net.Dial, which has no timeout, so NewClient can block indefinitely on an unresponsive host.
// Fix: connect() takes a timeout (Options.DialTimeout) and uses net.DialTimeout instead of net.Dial.
// Rule: nodeadline
package xmpp

import (
	"crypto/tls"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
)

// Client holds XMPP connection opitons
type Client struct {
	conn   net.Conn // connection to server
	jid    string   // Jabber ID for our connection
	domain string
}

func containsIgnoreCase(s, substr string) bool {
	s, substr = strings.ToUpper(s), strings.ToUpper(substr)
	return strings.Contains(s, substr)
}

func proxyFor(addr string) string {
	proxy := os.Getenv("HTTP_PROXY")
	if proxy == "" {
		proxy = os.Getenv("http_proxy")
	}
	// test for no proxy, takes a comma separated list with substrings to match
	if proxy != "" {
		noproxy := os.Getenv("NO_PROXY")
		if noproxy == "" {
			noproxy = os.Getenv("no_proxy")
		}
		if noproxy != "" {
			nplist := strings.Split(noproxy, ",")
			for _, s := range nplist {
				if containsIgnoreCase(addr, s) {
					proxy = ""
					break
				}
			}
		}
	}
	return proxy
}

func connect(host, user, passwd string) (net.Conn, error) {
	addr := host

	if strings.TrimSpace(host) == "" {
		a := strings.SplitN(user, "@", 2)
		if len(a) == 2 {
			addr = a[1]
		}
	}
	a := strings.SplitN(host, ":", 2)
	if len(a) == 1 {
		addr += ":5222"
	}

	proxy := proxyFor(addr)
	if proxy != "" {
		url, err := url.Parse(proxy)
		if err == nil {
			addr = url.Host
		}
	}

	c, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}

	// (HTTP CONNECT proxy handshake elided)
	return c, nil
}

// Options are used to specify additional options for new clients, such as a Resource.
type Options struct {
	// Host specifies what host to connect to, as either "hostname" or "hostname:port"
	Host string

	// User specifies what user to authenticate to the remote server.
	User string

	// Password supplies the password to use for authentication with the remote server.
	Password string

	// TLS Config
	TLSConfig *tls.Config

	// NoTLS directs go-xmpp to not use TLS initially to contact the server.
	NoTLS bool
}

// NewClient establishes a new Client connection based on a set of Options.
func (o Options) NewClient() (*Client, error) {
	host := o.Host
	if strings.TrimSpace(host) == "" {
		a := strings.SplitN(o.User, "@", 2)
		if len(a) == 2 {
			if _, addrs, err := net.LookupSRV("xmpp-client", "tcp", a[1]); err == nil && len(addrs) > 0 {
				host = fmt.Sprintf("%s:%d", addrs[0].Target, addrs[0].Port)
			} else {
				host = a[1]
			}
		}
	}
	c, err := connect(host, o.User, o.Password)
	if err != nil {
		return nil, err
	}

	if strings.LastIndex(host, ":") > 0 {
		host = host[:strings.LastIndex(host, ":")]
	}

	client := new(Client)
	if o.NoTLS {
		client.conn = c
	} else {
		var tlsconn *tls.Conn
		if o.TLSConfig != nil {
			tlsconn = tls.Client(c, o.TLSConfig)
		} else {
			tlsconn = tls.Client(c, &tls.Config{ServerName: host})
		}
		client.conn = tlsconn
	}
	client.jid = o.User
	client.domain = host
	return client, nil
}
