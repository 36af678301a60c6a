// Recall case uw-resty-backoff
// Source: github.com/go-resty/resty commit 84e2832dc94cceda7fa01ae7392d1ea62adb3e66 (retry.go)
// Link: https://github.com/go-resty/resty/pull/238
// Bug: Backoff sleeps between retry attempts with time.Sleep, so when the request context is cancelled (e.g. graceful shutdown) the retry loop keeps blocking for the full back-off wait instead of returning promptly.
// Fix: the wait between attempts became a select on time.After(waitTime) and the request ctx.Done(), returning ctx.Err() on cancellation.
// Rule: uncancellablewait
package resty

import (
	"context"
	"io/ioutil"
	"math"
	"math/rand"
	"net/http"
	"time"
)

const (
	defaultMaxRetries  = 3
	defaultWaitTime    = time.Duration(100) * time.Millisecond
	defaultMaxWaitTime = time.Duration(2000) * time.Millisecond
)

type (
	// Option is to create convenient retry options like wait time, max retries, etc.
	Option func(*Options)

	// RetryConditionFunc type is for retry condition function
	RetryConditionFunc func(*Response, error) bool

	Options struct {
		maxRetries      int
		waitTime        time.Duration
		maxWaitTime     time.Duration
		retryConditions []RetryConditionFunc
	}
)

// Client is a stripped-down resty.Client.
type Client struct {
	httpClient       *http.Client
	RetryCount       int
	RetryWaitTime    time.Duration
	RetryMaxWaitTime time.Duration
	RetryConditions  []RetryConditionFunc
}

// Request is a stripped-down resty.Request.
type Request struct {
	URL        string
	Method     string
	RawRequest *http.Request
	client     *Client
	ctx        context.Context
}

// Response is a stripped-down resty.Response.
type Response struct {
	Request     *Request
	RawResponse *http.Response
	body        []byte
}

// New creates a client with retries enabled.
func New() *Client {
	return &Client{
		httpClient:       &http.Client{Timeout: 10 * time.Second},
		RetryCount:       5,
		RetryWaitTime:    time.Second,
		RetryMaxWaitTime: 30 * time.Second,
	}
}

// R creates a new request.
func (c *Client) R() *Request { return &Request{client: c} }

// SetContext method sets the context.Context for current Request.
func (r *Request) SetContext(ctx context.Context) *Request {
	r.ctx = ctx
	return r
}

// Get method does GET HTTP request.
func (r *Request) Get(url string) (*Response, error) {
	return r.Execute(http.MethodGet, url)
}

// Execute method performs the HTTP request with given HTTP method and URL
// for current `Request`.
func (r *Request) Execute(method, url string) (*Response, error) {
	var err error
	r.Method = method
	r.URL = url

	if r.client.RetryCount == 0 {
		return r.client.execute(r)
	}

	var resp *Response
	attempt := 0
	err = Backoff(
		func() (*Response, error) {
			attempt++
			resp, err = r.client.execute(r)
			return resp, err
		},
		Retries(r.client.RetryCount),
		WaitTime(r.client.RetryWaitTime),
		MaxWaitTime(r.client.RetryMaxWaitTime),
		RetryConditions(r.client.RetryConditions),
	)

	return resp, err
}

func (c *Client) execute(req *Request) (*Response, error) {
	raw, err := http.NewRequest(req.Method, req.URL, nil)
	if err != nil {
		return nil, err
	}
	if req.ctx != nil {
		raw = raw.WithContext(req.ctx)
	}
	req.RawRequest = raw

	resp, err := c.httpClient.Do(req.RawRequest)
	response := &Response{Request: req, RawResponse: resp}
	if err != nil {
		return response, err
	}
	defer resp.Body.Close()
	response.body, err = ioutil.ReadAll(resp.Body)
	return response, err
}

// Retries sets the max number of retries
func Retries(value int) Option {
	return func(o *Options) {
		o.maxRetries = value
	}
}

// WaitTime sets the default wait time to sleep between requests
func WaitTime(value time.Duration) Option {
	return func(o *Options) {
		o.waitTime = value
	}
}

// MaxWaitTime sets the max wait time to sleep between requests
func MaxWaitTime(value time.Duration) Option {
	return func(o *Options) {
		o.maxWaitTime = value
	}
}

// RetryConditions sets the conditions that will be checked for retry.
func RetryConditions(conditions []RetryConditionFunc) Option {
	return func(o *Options) {
		o.retryConditions = conditions
	}
}

// Backoff retries with increasing timeout duration up until X amount of retries
// (Default is 3 attempts, Override with option Retries(n))
func Backoff(operation func() (*Response, error), options ...Option) error {
	// Defaults
	opts := Options{
		maxRetries:      defaultMaxRetries,
		waitTime:        defaultWaitTime,
		maxWaitTime:     defaultMaxWaitTime,
		retryConditions: []RetryConditionFunc{},
	}

	for _, o := range options {
		o(&opts)
	}

	var (
		resp *Response
		err  error
	)

	for attempt := 0; attempt < opts.maxRetries; attempt++ {
		resp, err = operation()
		ctx := context.Background()
		if resp != nil && resp.Request.ctx != nil {
			ctx = resp.Request.ctx
		}
		if ctx.Err() != nil {
			return err
		}

		needsRetry := err != nil // retry on operation errors by default

		for _, condition := range opts.retryConditions {
			needsRetry = condition(resp, err)
			if needsRetry {
				break
			}
		}

		if !needsRetry {
			return err
		}

		waitTime := sleepDuration(opts.waitTime, opts.maxWaitTime, attempt)

		select {
		case <-time.After(waitTime):
		case <-ctx.Done():
			return ctx.Err()
		}
	}

	return err
}

func sleepDuration(min, max time.Duration, attempt int) time.Duration {
	// Exponential backoff with jitter, capped at max.
	temp := math.Min(float64(max), float64(min)*math.Exp2(float64(attempt)))
	ri := int64(temp / 2)
	if ri <= 0 {
		ri = 1
	}
	result := time.Duration(math.Abs(float64(ri + rand.Int63n(ri))))
	if result < min {
		result = min
	}
	return result
}

// FetchWithRetry is typical caller code: shutdown cancels ctx and expects a prompt return.
func FetchWithRetry(ctx context.Context, c *Client, url string) ([]byte, error) {
	resp, err := c.R().SetContext(ctx).Get(url)
	if err != nil {
		return nil, err
	}
	return resp.body, nil
}
