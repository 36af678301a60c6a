package httpcalls

import (
	"context"
	"net/http"
)

// A client built without Timeout in a constructor, kept in a field and also
// handed to a helper of the package (external-dns' webhook provider): the
// package never sets a Timeout later, so the field's client has none.
type provider struct {
	client *http.Client
	url    string
}

func newProvider(url string) (*provider, error) {
	client := &http.Client{}
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := negotiate(client, req)
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	return &provider{client: client, url: url}, nil
}

func negotiate(c *http.Client, req *http.Request) (*http.Response, error) {
	return c.Do(req)
}

func (p *provider) records(_ context.Context) error {
	req, err := http.NewRequest(http.MethodGet, p.url+"/records", nil)
	if err != nil {
		return err
	}
	resp, err := p.client.Do(req) // want `the request sent by \(\*http.Client\).Do comes from http.NewRequest, which binds it to context.Background\(\), and the client has no Timeout`
	if err != nil {
		return err
	}
	return resp.Body.Close()
}
