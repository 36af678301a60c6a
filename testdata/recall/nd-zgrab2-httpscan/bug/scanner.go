// Recall case nd-zgrab2-httpscan
// Source: github.com/zmap/zgrab2 commit 3254857b580653013359bc16eca7d5d54330b44a (modules/http/scanner.go, conn.go)
// Link: https://github.com/zmap/zgrab2/commit/3254857b580653013359bc16eca7d5d54330b44a
// Bug: newHTTPScan only installs a timeout dialer for TLS (DialTLS); for plain http the transport dials with no timeout, the http.Client has no Timeout and Grab builds the request without a ctx, so a silent target hangs the scan forever (--timeout ignored).
// Fix: Set transport.DialContext to a Dialer that dials with the timeout and wraps the conn in a TimeoutConnection (read/write deadlines).
// Rule: nodeadline
package zgrab2

import (
	"bytes"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"
)

type Flags struct {
	Timeout      int // seconds
	Port         uint
	Endpoint     string
	Method       string
	UserAgent    string
	UseHTTPS     bool
	MaxSize      int
	MaxRedirects int
}

type Scanner struct {
	config *Flags
}

type ScanTarget struct {
	IP     net.IP
	Domain string
}

type Results struct {
	Response *http.Response
	BodyText string
}

// scan holds the state for a single scan. This may entail multiple connections.
type scan struct {
	connections []net.Conn
	scanner     *Scanner
	target      *ScanTarget
	transport   *http.Transport
	client      *http.Client
	results     Results
	url         string
}

// getTLSDialer returns a Dial function that connects using a timeout connection.
func (scan *scan) getTLSDialer() func(network, addr string) (net.Conn, error) {
	return func(network, addr string) (net.Conn, error) {
		outer, err := DialTimeoutConnection(network, addr, time.Second*time.Duration(scan.scanner.config.Timeout))
		if err != nil {
			return nil, err
		}
		scan.connections = append(scan.connections, outer)
		tlsConn := tls.Client(outer, &tls.Config{InsecureSkipVerify: true})
		err = tlsConn.Handshake()
		return tlsConn, err
	}
}

func getHTTPURL(https bool, host string, port uint16, endpoint string) string {
	proto := "http"
	if https {
		proto = "https"
	}
	return proto + "://" + net.JoinHostPort(host, strconv.FormatUint(uint64(port), 10)) + endpoint
}

// MakeNewClient mirrors zgrab2's lib/http.MakeNewClient (a zero http.Client).
func MakeNewClient() *http.Client {
	return &http.Client{}
}

// NewHTTPScan gets a new Scan instance for the given target
func (scanner *Scanner) newHTTPScan(t *ScanTarget) *scan {
	ret := scan{
		scanner: scanner,
		target:  t,
		transport: &http.Transport{
			Proxy:               nil, // TODO: implement proxying
			DisableKeepAlives:   false,
			DisableCompression:  false,
			MaxIdleConnsPerHost: scanner.config.MaxRedirects,
		},
		client: MakeNewClient(),
	}
	ret.transport.DialTLS = ret.getTLSDialer()
	ret.client.Transport = ret.transport
	ret.client.Jar = nil // Don't send or receive cookies (otherwise use CookieJar)
	host := t.Domain
	if host == "" {
		host = t.IP.String()
	}
	ret.url = getHTTPURL(scanner.config.UseHTTPS, host, uint16(scanner.config.Port), scanner.config.Endpoint)

	return &ret
}

// Grab performs the HTTP scan -- implementation taken from zgrab/zlib/grabber.go
func (scan *scan) Grab() error {
	request, err := http.NewRequest(scan.scanner.config.Method, scan.url, nil)
	if err != nil {
		return err
	}
	request.Header.Set("Accept", "*/*")
	request.Header.Set("User-Agent", scan.scanner.config.UserAgent)
	resp, err := scan.client.Do(request)
	if resp != nil && resp.Body != nil {
		defer resp.Body.Close()
	}
	scan.results.Response = resp
	if err != nil {
		return err
	}

	buf := new(bytes.Buffer)
	maxReadLen := int64(scan.scanner.config.MaxSize) * 1024
	readLen := maxReadLen
	if resp.ContentLength >= 0 && resp.ContentLength < maxReadLen {
		readLen = resp.ContentLength
	}
	io.CopyN(buf, resp.Body, readLen)
	scan.results.BodyText = buf.String()
	return nil
}

// Scan implements the zgrab2.Scanner interface.
func (scanner *Scanner) Scan(t ScanTarget) (*Results, error) {
	scan := scanner.newHTTPScan(&t)
	err := scan.Grab()
	return &scan.results, err
}
