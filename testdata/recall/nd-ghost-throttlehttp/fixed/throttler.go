// Recall case nd-ghost-throttlehttp
// Source: github.com/github/gh-ost commit 0918bab29b511aa776157ae89777252c09d1d59a (go/logic/throttler.go)
// Link: https://github.com/github/gh-ost/commit/0918bab29b511aa776157ae89777252c09d1d59a
// Bug: Throttler.collectThrottleHTTPStatus calls http.Head(url) on http.DefaultClient (no Timeout, no ctx), so a stalled throttle endpoint blocks the HTTP throttle collector forever
// Fix: NewThrottler keeps an *http.Client and a timeout; collectFunc builds http.NewRequestWithContext with context.WithTimeout(..., httpClientTimeout) and calls this.httpClient.Do
// Rule: nodeadline
package ghost

import (
	"context"
	"fmt"
	"net/http"
	"sync/atomic"
	"time"
)

type MigrationContext struct {
	HibernateUntil            int64
	ThrottleHTTPStatusCode    int64
	ThrottleHTTPTimeoutMillis int64
	IgnoreHTTPErrors          bool
	throttleHTTP              string
}

func (this *MigrationContext) GetThrottleHTTP() string {
	return this.throttleHTTP
}

type Throttler struct {
	appVersion        string
	migrationContext  *MigrationContext
	httpClient        *http.Client
	httpClientTimeout time.Duration
	finishedMigrating int64
}

func NewThrottler(migrationContext *MigrationContext, appVersion string) *Throttler {
	return &Throttler{
		appVersion:        appVersion,
		migrationContext:  migrationContext,
		httpClient:        &http.Client{},
		httpClientTimeout: time.Duration(migrationContext.ThrottleHTTPTimeoutMillis) * time.Millisecond,
		finishedMigrating: 0,
	}
}

// collectReplicationLag reads the latest changelog heartbeat value
func (this *Throttler) collectThrottleHTTPStatus(firstThrottlingCollected chan<- bool) {
	collectFunc := func() (sleep bool, err error) {
		if atomic.LoadInt64(&this.migrationContext.HibernateUntil) > 0 {
			return true, nil
		}
		url := this.migrationContext.GetThrottleHTTP()
		if url == "" {
			return true, nil
		}

		ctx, cancel := context.WithTimeout(context.Background(), this.httpClientTimeout)
		defer cancel()

		req, err := http.NewRequestWithContext(ctx, http.MethodHead, url, nil)
		if err != nil {
			return false, err
		}
		req.Header.Set("User-Agent", fmt.Sprintf("gh-ost/%s", this.appVersion))

		resp, err := this.httpClient.Do(req)
		if err != nil {
			return false, err
		}
		atomic.StoreInt64(&this.migrationContext.ThrottleHTTPStatusCode, int64(resp.StatusCode))
		return false, nil
	}

	_, err := collectFunc()
	if err != nil {
		// If not told to ignore errors, we'll throttle on HTTP connection issues
		if !this.migrationContext.IgnoreHTTPErrors {
			atomic.StoreInt64(&this.migrationContext.ThrottleHTTPStatusCode, int64(-1))
		}
	}

	firstThrottlingCollected <- true

	ticker := time.NewTicker(100 * time.Millisecond)
	defer ticker.Stop()
	for range ticker.C {
		if atomic.LoadInt64(&this.finishedMigrating) > 0 {
			return
		}

		_, err := collectFunc()
		if err != nil {
			// If not told to ignore errors, we'll throttle on HTTP connection issues
			if !this.migrationContext.IgnoreHTTPErrors {
				atomic.StoreInt64(&this.migrationContext.ThrottleHTTPStatusCode, int64(-1))
			}
		}
	}
}

func (this *Throttler) initiateThrottlerCollection(firstThrottlingCollected chan<- bool) {
	go this.collectThrottleHTTPStatus(firstThrottlingCollected)
}
