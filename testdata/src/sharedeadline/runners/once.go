package runners

import (
	"net/http"
	"sync"
)

// A literal handed to sync.Once.Do runs during the call, under the
// caller's context (go-gitlab's configureLimiterOnce.Do(func() {
// c.configureLimiter() }) probed the API with http.NewRequest while
// req.Context() was in scope).

type limitedClient struct {
	http      *http.Client
	once      sync.Once
	rateLimit string
}

func (c *limitedClient) configureLimiter() {
	req, err := http.NewRequest(http.MethodGet, "https://gitlab.example/api/v4/", nil)
	if err != nil {
		return
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return
	}
	c.rateLimit = resp.Header.Get("RateLimit-Limit")
	resp.Body.Close()
}

func (c *limitedClient) do(req *http.Request) (*http.Response, error) {
	c.once.Do(func() { c.configureLimiter() }) // want `\(\*runners.limitedClient\).configureLimiter starts its own http.NewRequest, which reaches \(\*http.Client\).Do: the wait ignores req.Context\(\)'s deadline and cancellation`
	return c.http.Do(req)
}

// A literal started as a goroutine is detached work: left alone.
func (c *limitedClient) doAsync(req *http.Request) (*http.Response, error) {
	go func() { c.configureLimiter() }()
	return c.http.Do(req)
}
