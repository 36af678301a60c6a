package a

import (
	"net/http"
	"time"
)

// Request embeds an *http.Request (go-retryablehttp's): its Context() is
// the request's, in scope wherever the request is.
type Request struct {
	body []byte
	*http.Request
}

type retryClient struct {
	hc   *http.Client
	wait time.Duration
}

func (c *retryClient) Do(req *Request) (*http.Response, error) {
	for i := 0; ; i++ {
		resp, err := c.hc.Do(req.Request)
		if err == nil || i == 3 {
			return resp, err
		}
		time.Sleep(c.wait) // want `time.Sleep \(a computed duration\) ignores req.Context\(\)`
	}
}
