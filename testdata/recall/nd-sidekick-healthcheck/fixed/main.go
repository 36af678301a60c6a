// Recall case nd-sidekick-healthcheck
// Source: github.com/minio/sidekick commit 8fa3bff020e028cd6b679b5696c6c84d085603ee (main.go)
// Link: https://github.com/minio/sidekick/commit/8fa3bff020e028cd6b679b5696c6c84d085603ee
// Bug: the background healthCheck loop sends its GET with a request built by http.NewRequest (no context) through an http.Client that has no Timeout, so a backend that accepts the connection but never answers blocks the health checker forever.
// Fix: each check (moved into doHealthCheck) builds the request with http.NewRequestWithContext on a context.WithTimeout(context.Background(), time.Minute).
// Rule: nodeadline
package sidekick

import (
	"context"
	"io"
	"log"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Backend entity to which requests gets load balanced.
type Backend struct {
	endpoint            string
	httpClient          *http.Client
	up                  int32
	healthCheckURL      string
	healthCheckDuration time.Duration
	Stats               *BackendStats
}

// BackendStats holds server stats for backend
type BackendStats struct {
	sync.Mutex
	LastDowntime  time.Duration
	CumDowntime   time.Duration
	UpSince       time.Time
	DowntimeStart time.Time
}

const (
	offline = iota
	online
)

func (b *Backend) setOffline()  { atomic.StoreInt32(&b.up, offline) }
func (b *Backend) setOnline()   { atomic.StoreInt32(&b.up, online) }
func (b *Backend) Online() bool { return atomic.LoadInt32(&b.up) == online }

func (b *Backend) updateDowntime(downtime time.Duration) {
	b.Stats.Lock()
	defer b.Stats.Unlock()
	b.Stats.LastDowntime = downtime
	b.Stats.CumDowntime += downtime
}

// newBackend mirrors configureSite: the health-check client has a transport but no Timeout.
func newBackend(endpoint, healthCheckURL string, transport http.RoundTripper, d time.Duration) *Backend {
	b := &Backend{endpoint: endpoint, httpClient: &http.Client{
		Transport: transport,
	}, healthCheckURL: healthCheckURL, healthCheckDuration: d, Stats: &BackendStats{}}
	go b.healthCheck()
	return b
}

// healthCheck - background routine which checks if a backend is up or down.
func (b *Backend) healthCheck() {
	for {
		err := b.doHealthCheck()
		if err != nil {
			log.Fatalln(err)
		}

		time.Sleep(b.healthCheckDuration)
	}
}

func (b *Backend) doHealthCheck() error {
	// Set up a maximum timeout time for the healtcheck operation
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, b.healthCheckURL, nil)
	if err != nil {
		return err
	}

	resp, err := b.httpClient.Do(req)
	if err == nil {
		// Drain the connection.
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	if err != nil || (err == nil && resp.StatusCode != http.StatusOK) {
		log.Printf("%s is down: %v", b.endpoint, err)
		// observed an error, take the backend down.
		b.setOffline()
		if b.Stats.DowntimeStart.IsZero() {
			b.Stats.DowntimeStart = time.Now().UTC()
		}
	} else {
		if !b.Stats.DowntimeStart.IsZero() {
			b.updateDowntime(time.Now().UTC().Sub(b.Stats.DowntimeStart))
		}
		b.Stats.UpSince = time.Now().UTC()
		b.Stats.DowntimeStart = time.Time{}
		b.setOnline()
	}

	return nil
}
