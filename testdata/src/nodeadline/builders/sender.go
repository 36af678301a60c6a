package builders

import (
	"net/http"
	"time"
)

// sender is the interface a client keeps its transport behind (autorest's
// Sender), filled with a concrete *http.Client by the constructor.
type sender interface {
	Do(*http.Request) (*http.Response, error)
}

type tokenSource struct {
	url    string
	sender sender
}

func newTokenSource(url string) *tokenSource {
	return &tokenSource{url: url, sender: &http.Client{}}
}

func (t *tokenSource) refresh() error {
	req, err := http.NewRequest(http.MethodPost, t.url, nil)
	if err != nil {
		return err
	}
	resp, err := t.sender.Do(req) // want `the request sent by builders.sender.Do comes from http.NewRequest, which binds it to context.Background\(\), and the client has no Timeout`
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// Negatives.

type boundedSource struct {
	url    string
	sender sender
}

func newBoundedSource(url string) *boundedSource {
	return &boundedSource{url: url, sender: &http.Client{Timeout: 10 * time.Second}}
}

func (t *boundedSource) refresh() error {
	req, err := http.NewRequest(http.MethodPost, t.url, nil)
	if err != nil {
		return err
	}
	resp, err := t.sender.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// The user may hand in a sender of their own.
type userSource struct {
	url    string
	sender sender
}

func newUserSource(url string, s sender) *userSource {
	if s == nil {
		s = &http.Client{}
	}
	return &userSource{url: url, sender: s}
}

func (t *userSource) refresh() error {
	req, err := http.NewRequest(http.MethodPost, t.url, nil)
	if err != nil {
		return err
	}
	resp, err := t.sender.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}
