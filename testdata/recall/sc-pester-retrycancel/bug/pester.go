// Recall case sc-pester-retrycancel
// Source: github.com/sethgrid/pester commit 8c123bbfc3bfd5af652f3ba549fc8031354e9bca (pester.go)
// Link: https://github.com/sethgrid/pester/commit/8c123bbfc3bfd5af652f3ba549fc8031354e9bca
// Bug: the retry goroutine in pester() treats a failure caused by the request's cancelled context like any other error and keeps retrying (with backoff) until MaxRetries, instead of stopping and returning the context error.
// Fix: before retrying, check p.req.Context().Done() and deliver ctx.Err() as the result (the non-blocking default case was added by follow-up commit 5640aba96a989cf451b2e767409be5cccaeda232).
// Rule: swallowcancel
package pester

import (
	"errors"
	"net/http"
	"sync"
	"time"
)

// ErrUnexpectedMethod occurs when an http.Client method is unable to be mapped from a calling method in the pester client
var ErrUnexpectedMethod = errors.New("unexpected client method, must be one of Do, Get")

// BackoffStrategy is used to determine how long a retry request should wait until attempted
type BackoffStrategy func(retry int) time.Duration

// Client wraps the http client and adds retries.
type Client struct {
	hc *http.Client

	Timeout    time.Duration
	MaxRetries int
	Backoff    BackoffStrategy

	wg *sync.WaitGroup
	sync.Mutex
}

// result simplifies the channel communication for concurrent request handling
type result struct {
	resp  *http.Response
	err   error
	retry int
}

// params represents all the params needed to run http client calls and pester errors
type params struct {
	method string
	verb   string
	req    *http.Request
	url    string
}

// New constructs a new client.
func New() *Client {
	return &Client{MaxRetries: 3, Backoff: func(int) time.Duration { return time.Second }, wg: &sync.WaitGroup{}}
}

// pester provides all the logic of retries, backoff
func (c *Client) pester(p params) (*http.Response, error) {
	resultCh := make(chan result)
	multiplexCh := make(chan result)
	finishCh := make(chan struct{})

	c.Lock()
	if c.hc == nil {
		c.hc = &http.Client{Timeout: c.Timeout}
	}
	c.Unlock()

	httpClient := http.Client{Timeout: c.hc.Timeout}

	AttemptLimit := c.MaxRetries
	if AttemptLimit <= 0 {
		AttemptLimit = 1
	}

	c.wg.Add(1)
	go func(p params) {
		defer c.wg.Done()

		var err error
		for i := 1; i <= AttemptLimit; i++ {
			select {
			case <-finishCh:
				return
			default:
			}

			var resp *http.Response
			switch p.method {
			case "Do":
				resp, err = httpClient.Do(p.req)
			case "Get":
				resp, err = httpClient.Get(p.url)
			default:
				err = ErrUnexpectedMethod
			}

			// Early return if we have a valid result
			// Only retry (ie, continue the loop) on 5xx status codes
			if err == nil && resp.StatusCode < 500 {
				multiplexCh <- result{resp: resp, err: err, retry: i}
				return
			}

			// if it is the last iteration, grab the result (which is an error at this point)
			if i == AttemptLimit {
				multiplexCh <- result{resp: resp, err: err}
				return
			}

			// if we are retrying, we should close this response body to free the fd
			if resp != nil {
				resp.Body.Close()
			}

			// prevent a 0 from causing the tick to block, pass additional microsecond
			<-time.After(c.Backoff(i) + 1*time.Microsecond)
		}
	}(p)

	// single request goroutine (Concurrency 1): forward its result to the caller
	go func() {
		res := <-multiplexCh
		close(finishCh)
		resultCh <- res
	}()

	res := <-resultCh
	return res.resp, res.err
}

// Do provides the same functionality as http.Client.Do
func (c *Client) Do(req *http.Request) (resp *http.Response, err error) {
	return c.pester(params{method: "Do", req: req, verb: req.Method, url: req.URL.String()})
}

// Get provides the same functionality as http.Client.Get
func (c *Client) Get(url string) (resp *http.Response, err error) {
	return c.pester(params{method: "Get", url: url, verb: "GET"})
}
