// Package unusedctx: a function that receives its caller's context and never
// reads it, while it waits under another context or none. prysm's
// BlockHashByHeight fetched the block with the service's w.ctx;
// celestia-node's Stop overwrote ctx with a fresh budget before reading it.
package unusedctx

import (
	"context"
	"database/sql"
	"net/http"
	"time"
)

type fetcher interface {
	BlockByNumber(ctx context.Context, n int) (string, error)
}

type rpcClient struct {
	hc  *http.Client
	url string
}

func (c *rpcClient) BlockByNumber(ctx context.Context, n int) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, nil)
	if err != nil {
		return "", err
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return "", err
	}
	resp.Body.Close()
	return resp.Status, nil
}

type service struct {
	ctx     context.Context
	fetcher fetcher
	db      *sql.DB
	srv     *http.Server
	hc      *http.Client
}

func newService(ctx context.Context, f fetcher) *service {
	ctx, _ = context.WithCancel(ctx)
	return &service{ctx: ctx, fetcher: f, hc: &http.Client{Timeout: time.Minute}}
}

// prysm: the object's context, not the caller's.
func (s *service) BlockHashByHeight(ctx context.Context, n int) (string, error) {
	return s.fetcher.BlockByNumber(s.ctx, n) // want `\(\*unusedctx.service\).BlockHashByHeight receives ctx but never uses it, and \(\*http.Client\).Do via unusedctx.fetcher.BlockByNumber waits under s.ctx: the caller's deadline and cancellation never reach the wait; pass ctx to the wait \(or derive its budget from ctx\)`
}

// celestia-node: ctx is overwritten before it is read.
func (s *service) Stop(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	return s.srv.Shutdown(ctx) // want `\(\*unusedctx.service\).Stop receives ctx but never uses it, and \(\*http.Server\).Shutdown waits under ctx from context.WithTimeout\(…\)`
}

// Reported once per function, at the first wait.
func (s *service) Both(ctx context.Context) error {
	if _, err := s.fetcher.BlockByNumber(s.ctx, 1); err != nil { // want `\(\*unusedctx.service\).Both receives ctx but never uses it`
		return err
	}
	_, err := s.fetcher.BlockByNumber(s.ctx, 2)
	return err
}

// A root where the context is in scope is reported as any dropped root
// (once per root), not again for the signature.
func (s *service) Roots(ctx context.Context) error {
	if _, err := s.fetcher.BlockByNumber(context.Background(), 1); err != nil { // want `context.Background\(\) drops ctx's deadline and cancellation`
		return err
	}
	_, err := s.fetcher.BlockByNumber(context.Background(), 2) // want `context.Background\(\) drops ctx's deadline and cancellation`
	return err
}

// Negatives.

// The fixes: the caller's context is passed, or the budget derives from it.
func (s *service) BlockHashByHeightFixed(ctx context.Context, n int) (string, error) {
	return s.fetcher.BlockByNumber(ctx, n)
}

func (s *service) StopFixed(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	return s.srv.Shutdown(ctx)
}

// A parameter named _ and a budget of one's own: a cleanup that must
// outlive a cancelled caller (certmagic's DNS CleanUp, the fix of a real
// bug). mutagen's newTunnel had the same shape by mistake: a known miss.
func (s *service) CleanUp(_ context.Context, name string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	_, err := s.fetcher.BlockByNumber(ctx, len(name))
	return err
}

// A parameter named _ is discarded on purpose (caddy's QUIC listener
// documents why its Accept(_ context.Context) waits under its own).
func (s *service) Height(_ context.Context) (string, error) {
	return s.fetcher.BlockByNumber(s.ctx, 0)
}

// A context-free call on a client with a Timeout: bounded.
func (s *service) Ping(_ context.Context) error {
	resp, err := s.hc.Get("http://example.com/ping")
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// Work handed to a goroutine is not part of the call.
func (s *service) Start(_ context.Context) error {
	go func() {
		s.fetcher.BlockByNumber(s.ctx, 0)
	}()
	return nil
}

// A context-free API call is nodeadline's (use its context form).
func (s *service) Count(ctx context.Context) (int, error) {
	var n int
	err := s.db.QueryRow("SELECT count(*) FROM t").Scan(&n)
	return n, err
}

// No wait at all.
func (s *service) Name(_ context.Context) string { return "svc" }

// Another context the caller handed in: the request's.
func (s *service) Serve(_ context.Context, r *http.Request) (string, error) {
	return s.fetcher.BlockByNumber(r.Context(), 1)
}

// A function literal's signature is dictated by what it is handed to.
func (s *service) hooks() func(context.Context) error {
	return func(_ context.Context) error {
		_, err := s.fetcher.BlockByNumber(s.ctx, 0)
		return err
	}
}
