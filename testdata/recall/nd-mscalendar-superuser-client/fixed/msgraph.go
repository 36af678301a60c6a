// Recall case nd-mscalendar-superuser-client
// Source: github.com/mattermost/mattermost-plugin-mscalendar commit f4b3ffa0294f461a574a41001022bde300075fd7 (msgraph/remote.go)
// Link: https://github.com/mattermost/mattermost-plugin-mscalendar/pull/397
// Bug: MakeSuperuserClient stores &http.Client{} (no Timeout) in client.httpClient; the engine calls it through the Remote interface with context.Background(), so the token POST in call() -> c.httpClient.Do can hang forever.
// Fix: the superuser http.Client is created with Timeout: 60s.
// Rule: nodeadline
package msgraph

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

type client struct {
	// caching the context here since it's a "single-use" client
	ctx        context.Context
	httpClient *http.Client
	tokenURL   string
}

func (c *client) CallFormPost(method, path string, in url.Values, out interface{}) ([]byte, error) {
	return c.call(method, path, "application/x-www-form-urlencoded", strings.NewReader(in.Encode()), out)
}

func (c *client) call(method, path, contentType string, inBody io.Reader, out interface{}) ([]byte, error) {
	req, err := http.NewRequest(method, path, inBody)
	if err != nil {
		return nil, err
	}
	req.Header.Add("Content-Type", contentType)
	if c.ctx != nil {
		req = req.WithContext(c.ctx)
	}
	resp, err := c.httpClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	responseData, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	return responseData, json.Unmarshal(responseData, out)
}

func (c *client) GetSuperuserToken() (string, error) {
	res := struct {
		AccessToken string `json:"access_token"`
	}{}
	data := url.Values{}
	data.Set("grant_type", "client_credentials")
	_, err := c.CallFormPost(http.MethodPost, c.tokenURL, data, &res)
	return res.AccessToken, err
}

type Remote interface {
	MakeSuperuserClient(ctx context.Context) (string, error)
}

type impl struct{ tokenURL string }

// MakeSuperuserClient creates a new client used for app-only permissions.
func (r *impl) MakeSuperuserClient(ctx context.Context) (string, error) {
	httpClient := &http.Client{
		Timeout: time.Second * 60,
	}
	c := &client{ctx: ctx, httpClient: httpClient, tokenURL: r.tokenURL}
	return c.GetSuperuserToken()
}

type mscalendar struct{ Remote Remote }

func (m *mscalendar) MakeSuperuserClient() (string, error) {
	return m.Remote.MakeSuperuserClient(context.Background())
}
