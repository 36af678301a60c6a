// Recall case sc-etcd-clientdo
// Source: github.com/etcd-io/etcd commit 78af793338535af557bf104ba44ac2e2e746709e (client/client.go)
// Link: https://github.com/etcd-io/etcd/pull/3216
// Bug: when ctx is done while reading the body, Do returns the read error ("use of closed network connection") set by the reader goroutine instead of ctx.Err().
// Fix: the ctx.Done() branch closes the body, waits for the reader and returns ctx.Err().
// Rule: swallowcancel
package client

import (
	"context"
	"io"
	"net/http"
	"net/url"
)

type httpAction interface {
	HTTPRequest(url.URL) *http.Request
}

type roundTripResponse struct {
	resp *http.Response
	err  error
}

type simpleHTTPClient struct {
	client   *http.Client
	endpoint url.URL
}

func (c *simpleHTTPClient) Do(ctx context.Context, act httpAction) (*http.Response, []byte, error) {
	req := act.HTTPRequest(c.endpoint).WithContext(ctx)

	rtchan := make(chan roundTripResponse, 1)
	go func() {
		resp, err := c.client.Do(req)
		rtchan <- roundTripResponse{resp: resp, err: err}
	}()

	var resp *http.Response
	var err error

	select {
	case rtresp := <-rtchan:
		resp, err = rtresp.resp, rtresp.err
	case <-ctx.Done():
		rtresp := <-rtchan
		resp = rtresp.resp
		err = ctx.Err()
	}

	defer func() {
		if resp != nil {
			resp.Body.Close()
		}
	}()

	if err != nil {
		return nil, nil, err
	}

	var body []byte
	done := make(chan struct{})
	go func() {
		body, err = io.ReadAll(resp.Body)
		done <- struct{}{}
	}()

	select {
	case <-ctx.Done():
		err = resp.Body.Close()
		<-done
		if err == nil {
			err = ctx.Err()
		}
	case <-done:
	}

	return resp, body, err
}
