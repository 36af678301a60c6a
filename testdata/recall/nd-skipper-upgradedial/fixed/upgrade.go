// Recall case nd-skipper-upgradedial
// Source: github.com/zalando/skipper commit bca07d64606d762703925dae58713c97688baa81 (proxy/upgrade.go)
// Link: https://github.com/zalando/skipper/commit/bca07d64606d762703925dae58713c97688baa81
// Bug: dialBackend connects to the upgrade (WebSocket/SPDY) backend with net.Dial / tls.Dial, which have no timeout and ignore req.Context(), so a stalled backend blocks the proxy goroutine indefinitely.
// Fix: the dials use net.Dialer/tls.Dialer DialContext(req.Context(), ...) with a configurable dial timeout (default 30s).
// Rule: nodeadline
package proxy

import (
	"bufio"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

const defaultUpgradeDialTimeout = 30 * time.Second

// upgradeProxy stores everything needed to make the connection upgrade.
type upgradeProxy struct {
	backendAddr     *url.URL
	tlsClientConfig *tls.Config
	insecure        bool
	dialTimeout     time.Duration
}

// resolvedDialTimeout: negative disables the ceiling, zero falls back to the default.
func (p *upgradeProxy) resolvedDialTimeout() time.Duration {
	switch {
	case p.dialTimeout < 0:
		return 0
	case p.dialTimeout == 0:
		return defaultUpgradeDialTimeout
	default:
		return p.dialTimeout
	}
}

func isUpgradeRequest(req *http.Request) bool {
	for _, value := range req.Header.Values("Connection") {
		for _, token := range strings.Split(value, ",") {
			if strings.EqualFold(strings.TrimSpace(token), "upgrade") {
				return true
			}
		}
	}
	return false
}

// serveHTTP establishes a bidirectional connection and copies the data back and forth.
// It will not return until the connection is closed.
func (p *upgradeProxy) serveHTTP(w http.ResponseWriter, req *http.Request) {
	if (req.ProtoMajor <= 1 && req.ProtoMinor < 1) || !isUpgradeRequest(req) || req.Header.Get("Upgrade") == "" {
		w.WriteHeader(http.StatusBadRequest)
		return
	}

	backendConn, err := p.dialBackend(req)
	if err != nil {
		log.Printf("Error connecting to backend: %s", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	defer backendConn.Close()

	if err = req.Write(backendConn); err != nil {
		w.WriteHeader(http.StatusInternalServerError)
		return
	}

	resp, err := http.ReadResponse(bufio.NewReader(backendConn), req)
	if err != nil {
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	defer resp.Body.Close()

	if resp.StatusCode != http.StatusSwitchingProtocols {
		w.WriteHeader(resp.StatusCode)
		_, _ = io.Copy(w, resp.Body)
		return
	}

	requestHijackedConn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	defer requestHijackedConn.Close()

	if err = resp.Write(requestHijackedConn); err != nil {
		return
	}

	done := make(chan struct{}, 2)
	copyAsync("backend->request", backendConn, requestHijackedConn, done)
	copyAsync("request->backend", requestHijackedConn, backendConn, done)
	<-done
}

func (p *upgradeProxy) dialBackend(req *http.Request) (net.Conn, error) {
	dialAddr := canonicalAddr(req.URL)

	switch p.backendAddr.Scheme {
	case "http":
		return (&net.Dialer{Timeout: p.resolvedDialTimeout()}).DialContext(req.Context(), "tcp", dialAddr)

	case "https":
		tlsDialer := &tls.Dialer{
			NetDialer: &net.Dialer{Timeout: p.resolvedDialTimeout()},
			Config:    p.tlsClientConfig,
		}
		conn, err := tlsDialer.DialContext(req.Context(), "tcp", dialAddr)
		if err != nil {
			return nil, err
		}

		if !p.insecure {
			hostToVerify, _, err := net.SplitHostPort(dialAddr)
			if err != nil {
				conn.Close()
				return nil, err
			}
			if err = conn.(*tls.Conn).VerifyHostname(hostToVerify); err != nil {
				conn.Close()
				return nil, err
			}
		}

		return conn, nil

	default:
		return nil, fmt.Errorf("unknown scheme: %s", p.backendAddr.Scheme)
	}
}

func copyAsync(dir string, src io.Reader, dst io.Writer, done chan<- struct{}) {
	go func() {
		_, err := io.Copy(dst, src)
		if err != nil && !errors.Is(err, net.ErrClosed) {
			log.Printf("error copying data %s: %v", dir, err)
		}
		done <- struct{}{}
	}()
}

func hasPort(s string) bool { return strings.LastIndex(s, ":") > strings.LastIndex(s, "]") }

var portMap = map[string]string{
	"http":  "80",
	"https": "443",
}

// canonicalAddr returns url.Host but always with a ":port" suffix
func canonicalAddr(u *url.URL) string {
	addr := u.Host
	if !hasPort(addr) {
		return addr + ":" + portMap[u.Scheme]
	}
	return addr
}
