package fixes

import (
	"context"
	"io"
	"net/http"
	"strings"
	"time"
)

type price struct{ cents int }

func get(ctx context.Context, url string) (*http.Response, error) {
	resp, err := http.Get(url) // want `http.Get uses http.DefaultClient`
	if err != nil {
		return nil, err
	}
	return resp, nil
}

func post(ctx context.Context, url string, body io.Reader) (price, int, error) {
	var p price
	resp, err := http.Post(url, "application/json", body) // want `http.Post uses http.DefaultClient`
	if err != nil {
		return p, 0, err
	}
	return p, resp.StatusCode, nil
}

func clientHead(ctx context.Context, url string) (bool, string, error) {
	c := &http.Client{}
	_, err := c.Head(url) // want `\(\*http.Client\).Head on a client without Timeout`
	return err == nil, "", err
}

func reqTaken(ctx context.Context, url string, req int) error {
	var resp *http.Response
	var err error
	resp, err = http.Get(url) // want `http.Get uses http.DefaultClient`
	_ = resp
	return err
}

// --- no fix ---

func noCtx(url string) error {
	_, err := http.Get(url) // want `http.Get uses http.DefaultClient`
	return err
}

func noErrorResult(ctx context.Context, url string) {
	resp, err := http.Get(url) // want `http.Get uses http.DefaultClient`
	_, _ = resp, err
}

func notAStatement(ctx context.Context, url string) error {
	if _, err := http.Get(url); err != nil { // want `http.Get uses http.DefaultClient`
		return err
	}
	return nil
}

func postForm(ctx context.Context, url string) error {
	_, err := http.PostForm(url, nil) // want `http.PostForm uses http.DefaultClient`
	return err
}

var _ = strings.NewReader
var _ = time.Second
