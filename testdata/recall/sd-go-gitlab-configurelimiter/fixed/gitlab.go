// Recall case sd-go-gitlab-configurelimiter
// Source: github.com/xanzy/go-gitlab commit 6ce046533ebf9a487affbda1494454ec5dfc5b01 (gitlab.go)
// Link: https://github.com/xanzy/go-gitlab/pull/1056
// Bug: Client.Do runs configureLimiter() (via configureLimiterOnce) which builds its probe with http.NewRequest and no ctx although req.Context() is in scope, so the caller's WithContext deadline is ignored and the probe on the timeout-less pooled client waits until the dialer gives up (~30s) or forever.
// Fix: configureLimiter takes ctx and uses http.NewRequestWithContext(ctx, ...); Do passes req.Context().
// Rule: sharedeadline
package gitlab

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"strconv"
	"sync"
	"time"
)

// ---------------------------------------------------------------------------
// Stand-ins for github.com/hashicorp/go-cleanhttp, go-retryablehttp (single
// attempt, retries cut) and golang.org/x/time/rate.
// ---------------------------------------------------------------------------

// DefaultPooledClient mirrors cleanhttp.DefaultPooledClient: no Client.Timeout.
func DefaultPooledClient() *http.Client {
	return &http.Client{
		Transport: &http.Transport{
			Proxy: http.ProxyFromEnvironment,
			DialContext: (&net.Dialer{
				Timeout:   30 * time.Second,
				KeepAlive: 30 * time.Second,
			}).DialContext,
			MaxIdleConns:          100,
			IdleConnTimeout:       90 * time.Second,
			TLSHandshakeTimeout:   10 * time.Second,
			ExpectContinueTimeout: 1 * time.Second,
			ForceAttemptHTTP2:     true,
			MaxIdleConnsPerHost:   runtime.GOMAXPROCS(0) + 1,
		},
	}
}

// Request mirrors retryablehttp.Request, which embeds *http.Request.
type Request struct {
	*http.Request
}

// NewRetryableRequest mirrors retryablehttp.NewRequest (built with
// http.NewRequest; the context is attached afterwards by WithContext).
func NewRetryableRequest(method, rawURL string, body []byte) (*Request, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	httpReq, err := http.NewRequest(method, rawURL, rd)
	if err != nil {
		return nil, err
	}
	return &Request{httpReq}, nil
}

// WithContext mirrors retryablehttp.Request.WithContext.
func (r *Request) WithContext(ctx context.Context) *Request {
	return &Request{r.Request.WithContext(ctx)}
}

type RetryableClient struct {
	HTTPClient *http.Client
}

func (c *RetryableClient) Do(req *Request) (*http.Response, error) {
	return c.HTTPClient.Do(req.Request)
}

type Limit float64

const Inf = Limit(math.MaxFloat64)

type Limiter struct {
	mu     sync.Mutex
	limit  Limit
	burst  int
	tokens float64
	last   time.Time
}

func NewLimiter(r Limit, b int) *Limiter {
	return &Limiter{limit: r, burst: b, tokens: float64(b)}
}

// Wait blocks until a token is available or ctx is done.
func (l *Limiter) Wait(ctx context.Context) error {
	if l.limit == Inf {
		return nil
	}
	l.mu.Lock()
	now := time.Now()
	if !l.last.IsZero() {
		l.tokens = math.Min(float64(l.burst), l.tokens+now.Sub(l.last).Seconds()*float64(l.limit))
	}
	l.last = now
	l.tokens--
	var wait time.Duration
	if l.tokens < 0 && l.limit > 0 {
		wait = time.Duration(-l.tokens / float64(l.limit) * float64(time.Second))
	}
	l.mu.Unlock()
	if wait <= 0 {
		return nil
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// ---------------------------------------------------------------------------
// gitlab.go / request_options.go / users.go (reduced)
// ---------------------------------------------------------------------------

const (
	defaultBaseURL  = "https://gitlab.com/"
	apiVersionPath  = "api/v4/"
	userAgent       = "go-gitlab"
	headerRateLimit = "RateLimit-Limit"
)

// RateLimiter describes the interface that all (custom) rate limiters must implement.
type RateLimiter interface {
	Wait(context.Context) error
}

type Client struct {
	client  *RetryableClient
	baseURL *url.URL
	token   string

	// configureLimiterOnce is used to make sure the limiter is configured exactly
	// once and block all other calls until the initial (one) call is done.
	configureLimiterOnce sync.Once

	// Limiter is used to limit API calls and prevent 429 responses.
	limiter RateLimiter

	UserAgent string

	Users *UsersService
}

type RequestOptionFunc func(*Request) error

// WithContext runs the request with the provided context
func WithContext(ctx context.Context) RequestOptionFunc {
	return func(req *Request) error {
		*req = *req.WithContext(ctx)
		return nil
	}
}

func NewClient(token, baseURL string) (*Client, error) {
	c := &Client{UserAgent: userAgent, token: token}
	c.client = &RetryableClient{HTTPClient: DefaultPooledClient()}
	if baseURL == "" {
		baseURL = defaultBaseURL
	}
	u, err := url.Parse(baseURL + apiVersionPath)
	if err != nil {
		return nil, err
	}
	c.baseURL = u
	c.Users = &UsersService{client: c}
	return c, nil
}

// configureLimiter configures the rate limiter.
func (c *Client) configureLimiter(ctx context.Context) error {
	// Set default values for when rate limiting is disabled.
	limit := Inf
	burst := 0

	defer func() {
		// Create a new limiter using the calculated values.
		c.limiter = NewLimiter(limit, burst)
	}()

	// Create a new request.
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.baseURL.String(), nil)
	if err != nil {
		return err
	}

	// Make a single request to retrieve the rate limit headers.
	resp, err := c.client.HTTPClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()

	if v := resp.Header.Get(headerRateLimit); v != "" {
		if rateLimit, _ := strconv.ParseFloat(v, 64); rateLimit > 0 {
			// The rate limit is based on requests per minute, so for our limiter to
			// work correctly we divide the limit by 60 to get the limit per second.
			rateLimit /= 60
			limit = Limit(rateLimit * 0.66)
			burst = int(rateLimit * 0.33)
		}
	}

	return nil
}

// NewRequest creates an API request.
func (c *Client) NewRequest(method, path string, opt interface{}, options []RequestOptionFunc) (*Request, error) {
	u := *c.baseURL
	unescaped, err := url.PathUnescape(path)
	if err != nil {
		return nil, err
	}
	u.RawPath = c.baseURL.Path + path
	u.Path = c.baseURL.Path + unescaped

	reqHeaders := make(http.Header)
	reqHeaders.Set("Accept", "application/json")
	if c.UserAgent != "" {
		reqHeaders.Set("User-Agent", c.UserAgent)
	}

	var body []byte
	if (method == http.MethodPost || method == http.MethodPut) && opt != nil {
		reqHeaders.Set("Content-Type", "application/json")
		body, err = json.Marshal(opt)
		if err != nil {
			return nil, err
		}
	}

	req, err := NewRetryableRequest(method, u.String(), body)
	if err != nil {
		return nil, err
	}

	for _, fn := range options {
		if fn == nil {
			continue
		}
		if err := fn(req); err != nil {
			return nil, err
		}
	}

	for k, v := range reqHeaders {
		req.Header[k] = v
	}

	return req, nil
}

// Do sends an API request and returns the API response.
func (c *Client) Do(req *Request, v interface{}) (*http.Response, error) {
	// If not yet configured, try to configure the rate limiter. Fail
	// silently as the limiter will be disabled in case of an error.
	c.configureLimiterOnce.Do(func() { c.configureLimiter(req.Context()) })

	// Wait will block until the limiter can obtain a new token.
	err := c.limiter.Wait(req.Context())
	if err != nil {
		return nil, err
	}

	req.Header.Set("PRIVATE-TOKEN", c.token)

	resp, err := c.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()

	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp, fmt.Errorf("%s %s: %d", req.Method, req.URL, resp.StatusCode)
	}

	if v != nil {
		err = json.NewDecoder(resp.Body).Decode(v)
	}
	return resp, err
}

type UsersService struct {
	client *Client
}

type User struct {
	ID       int    `json:"id"`
	Username string `json:"username"`
}

// CurrentUser gets currently authenticated user.
func (s *UsersService) CurrentUser(options ...RequestOptionFunc) (*User, *http.Response, error) {
	req, err := s.client.NewRequest(http.MethodGet, "user", nil, options)
	if err != nil {
		return nil, nil, err
	}

	usr := new(User)
	resp, err := s.client.Do(req, usr)
	if err != nil {
		return nil, resp, err
	}

	return usr, resp, err
}

// currentUserWithin is the caller from the PR description: a 2s budget
// handed to the client through WithContext.
func currentUserWithin(parent context.Context, git *Client, d time.Duration) (*User, error) {
	ctx, cancel := context.WithTimeout(parent, d)
	defer cancel()
	u, _, err := git.Users.CurrentUser(WithContext(ctx))
	return u, err
}
