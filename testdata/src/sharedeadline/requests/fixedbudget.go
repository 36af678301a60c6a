package requests

import (
	"context"
	"io"
	"net"
	"net/http"
	"sync"
	"time"
)

// A wait that takes no context and runs on its client's own Timeout, made
// where a caller's context is in scope: the fixed budget stands in for the
// caller's deadline (kuma's metrics hijacker scraped every application
// with httpClient.Get under a 10 s client Timeout).

type scraper struct {
	client http.Client
	dialer net.Dialer
	apps   []string
}

func newScraper() *scraper {
	return &scraper{
		client: http.Client{Timeout: 10 * time.Second},
		dialer: net.Dialer{Timeout: 5 * time.Second},
	}
}

func (s *scraper) stats(url string) []byte {
	resp, err := s.client.Get(url)
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return b
}

func (s *scraper) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	out := make(chan []byte, len(s.apps))
	var wg sync.WaitGroup
	for _, app := range s.apps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out <- s.stats(app) // want `\(\*requests.scraper\).stats takes no context and waits in \(\*http.Client\).Get, which runs on its client's own Timeout: r.Context\(\)'s deadline and cancellation never reach the wait`
		}()
	}
	wg.Wait()
	close(out)
	for b := range out {
		w.Write(b)
	}
}

func (s *scraper) ping(ctx context.Context, url string) error {
	resp, err := s.client.Get(url) // want `\(\*http.Client\).Get cannot take ctx: it runs on its client's own Timeout, a fixed budget that ignores ctx's deadline and cancellation; use a request from http.NewRequestWithContext\(ctx, …\), sent with Do`
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

func (s *scraper) probe(ctx context.Context, addr string) error {
	conn, err := s.dialer.Dial("tcp", addr) // want `\(\*net.Dialer\).Dial cannot take ctx: it runs on its dialer's own Timeout`
	if err != nil {
		return err
	}
	return conn.Close()
}

// Fixed: the caller's context goes with the request.
func (s *scraper) pingFixed(ctx context.Context, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// No caller's context in scope: the client's Timeout is the only budget
// there is.
func (s *scraper) refresh(url string) []byte { return s.stats(url) }

// A goroutine the function does not wait for: its work is detached.
func (s *scraper) warm(ctx context.Context, url string) {
	go s.stats(url)
	_ = ctx
}

// A literal in a package variable's initializer (its outermost function is
// the package initializer, which has no syntax of its own).
var defaultScraper = newScraper()

var statsHandler = struct {
	serve func(r *http.Request) []byte
}{
	serve: func(r *http.Request) []byte {
		return defaultScraper.stats(r.URL.Path) // want `\(\*requests.scraper\).stats takes no context and waits in \(\*http.Client\).Get, which runs on its client's own Timeout: r.Context\(\)'s deadline`
	},
}

// net.DialTimeout's timeout argument is its budget (cortex's readiness
// probe dialled with a fixed second while serving the probe's request).
func readinessProbe(addr string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		conn, err := net.DialTimeout("tcp", addr, time.Second) // want `net.DialTimeout cannot take r.Context\(\): it runs on the fixed timeout it is given, which ignores r.Context\(\)'s deadline and cancellation; use \(&net.Dialer\{Timeout: …\}\).DialContext\(r.Context\(\), …\)`
		if err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		conn.Close()
	}
}

// Negative: the timeout is cut to the context's deadline (grafana agent's
// cluster dial).
func dialWithin(ctx context.Context, network, addr string) (net.Conn, error) {
	timeout := 30 * time.Second
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < timeout {
		timeout = time.Until(dl)
	}
	return net.DialTimeout(network, addr, timeout)
}
