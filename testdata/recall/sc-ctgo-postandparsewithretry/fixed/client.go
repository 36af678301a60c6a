// Recall case sc-ctgo-postandparsewithretry
// Source: github.com/google/certificate-transparency-go commit c26d9950661e678e514e93f1598312f0a0479952 (jsonclient/client.go)
// Link: https://github.com/google/certificate-transparency-go/commit/c26d9950661e678e514e93f1598312f0a0479952
// Bug: PostAndParseWithRetry treats every PostAndParse error as retriable, so context.Canceled/DeadlineExceeded from the request is logged and backed off on like a transient failure instead of being returned.
// Fix: return immediately when the error is context.Canceled or context.DeadlineExceeded.
// Rule: swallowcancel
package jsonclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"math/rand"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

const maxJitter = 250 * time.Millisecond

type backoffer interface {
	set(*time.Duration) time.Duration
	decreaseMultiplier()
	until() time.Time
}

// Logger is a simple logging interface used to log internal errors and warnings
type Logger interface {
	Printf(string, ...interface{})
}

// JSONClient provides common functionality for interacting with a JSON server.
type JSONClient struct {
	uri        string
	httpClient *http.Client
	logger     Logger
	backoff    backoffer
}

type basicLogger struct{}

func (bl *basicLogger) Printf(msg string, args ...interface{}) {
	log.Printf(msg, args...)
}

// New constructs a new JSONClient instance.
func New(uri string, hc *http.Client) *JSONClient {
	if hc == nil {
		hc = new(http.Client)
	}
	return &JSONClient{
		uri:        strings.TrimRight(uri, "/"),
		httpClient: hc,
		logger:     &basicLogger{},
		backoff:    &backoff{},
	}
}

// ctxhttpDo mirrors golang.org/x/net/context/ctxhttp.Do: on failure it
// returns ctx.Err() if the context is done.
func ctxhttpDo(ctx context.Context, client *http.Client, req *http.Request) (*http.Response, error) {
	resp, err := client.Do(req.WithContext(ctx))
	if err != nil {
		select {
		case <-ctx.Done():
			err = ctx.Err()
		default:
		}
	}
	return resp, err
}

// PostAndParse makes a HTTP POST call to the given path and parses the JSON response.
func (c *JSONClient) PostAndParse(ctx context.Context, path string, req, rsp interface{}) (*http.Response, []byte, error) {
	if ctx == nil {
		return nil, nil, errors.New("context.Context required")
	}
	postBody, err := json.Marshal(req)
	if err != nil {
		return nil, nil, err
	}
	fullURI := fmt.Sprintf("%s%s", c.uri, path)
	httpReq, err := http.NewRequest(http.MethodPost, fullURI, bytes.NewReader(postBody))
	if err != nil {
		return nil, nil, err
	}
	httpReq.Header.Set("Content-Type", "application/json")

	httpRsp, err := ctxhttpDo(ctx, c.httpClient, httpReq)

	// Read all of the body, if there is one, so that the http.Client can do Keep-Alive.
	var body []byte
	if httpRsp != nil {
		body, err = io.ReadAll(httpRsp.Body)
		httpRsp.Body.Close()
	}
	if err != nil {
		return httpRsp, body, err
	}

	if httpRsp.StatusCode == http.StatusOK {
		if err = json.Unmarshal(body, &rsp); err != nil {
			return httpRsp, body, err
		}
	}
	return httpRsp, body, nil
}

// waitForBackoff blocks until the defined backoff interval or context has expired.
func (c *JSONClient) waitForBackoff(ctx context.Context) error {
	dur := time.Until(c.backoff.until().Add(time.Millisecond * time.Duration(rand.Intn(int(maxJitter.Seconds()*1000)))))
	if dur < 0 {
		dur = 0
	}
	backoffTimer := time.NewTimer(dur)
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-backoffTimer.C:
	}
	return nil
}

// PostAndParseWithRetry makes a HTTP POST call, but retries (with backoff) on
// retriable errors; the caller should set a deadline on the provided context
// to prevent infinite retries.  Return values are as for PostAndParse.
func (c *JSONClient) PostAndParseWithRetry(ctx context.Context, path string, req, rsp interface{}) (*http.Response, []byte, error) {
	if ctx == nil {
		return nil, nil, errors.New("context.Context required")
	}
	for {
		httpRsp, body, err := c.PostAndParse(ctx, path, req, rsp)
		if err != nil {
			// Don't retry context errors.
			if err == context.Canceled || err == context.DeadlineExceeded {
				return nil, nil, err
			}
			wait := c.backoff.set(nil)
			c.logger.Printf("Request failed, backing-off for %s: %s", wait, err)
		} else {
			switch {
			case httpRsp.StatusCode == http.StatusOK:
				return httpRsp, body, nil
			case httpRsp.StatusCode == http.StatusRequestTimeout:
				// Request timeout, retry immediately
				c.logger.Printf("Request timed out, retrying immediately")
			case httpRsp.StatusCode == http.StatusServiceUnavailable:
				var backoff *time.Duration
				if retryAfter := httpRsp.Header.Get("Retry-After"); retryAfter != "" {
					if seconds, err := strconv.Atoi(retryAfter); err == nil {
						b := time.Duration(seconds) * time.Second
						backoff = &b
					} else if date, err := time.Parse(time.RFC1123, retryAfter); err == nil {
						b := time.Until(date)
						backoff = &b
					}
				}
				wait := c.backoff.set(backoff)
				c.logger.Printf("Request failed, backing-off for %s: got HTTP status %s", wait, httpRsp.Status)
			default:
				return httpRsp, body, fmt.Errorf("got HTTP Status %q", httpRsp.Status)
			}
		}
		if err := c.waitForBackoff(ctx); err != nil {
			return nil, nil, err
		}
	}
}

// backoff mirrors jsonclient/backoff.go.
type backoff struct {
	mu         sync.RWMutex
	multiplier uint
	notBefore  time.Time
}

const maxMultiplier = 8

func (b *backoff) set(override *time.Duration) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.notBefore.After(time.Now()) {
		if override != nil {
			notBefore := time.Now().Add(*override)
			if notBefore.After(b.notBefore) {
				b.notBefore = notBefore
			}
		}
		return time.Until(b.notBefore)
	}
	var wait time.Duration
	if override != nil {
		wait = *override
	} else {
		if b.multiplier < maxMultiplier {
			b.multiplier++
		}
		wait = time.Second * time.Duration(1<<(b.multiplier-1))
	}
	b.notBefore = time.Now().Add(wait)
	return wait
}

func (b *backoff) decreaseMultiplier() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.multiplier > 0 {
		b.multiplier--
	}
}

func (b *backoff) until() time.Time {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.notBefore
}
