// Recall case sd-slack-customstatus
// Source: github.com/slack-go/slack commit 17d4cc3166516111e2fa8f33ecd268ca92f06f9d (users.go)
// Link: https://github.com/slack-go/slack/commit/17d4cc3166516111e2fa8f33ecd268ca92f06f9d
// Bug: Client.SetUserCustomStatusContext(ctx, ...) (and UnsetUserCustomStatusContext through it) calls SetUserCustomStatusContextWithUser with context.Background() instead of ctx, so the users.profile.set HTTP call ignores the caller's deadline and cancellation.
// Fix: pass the caller's ctx to SetUserCustomStatusContextWithUser.
// Rule: sharedeadline
package slack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// httpClient defines the minimal interface needed for an http.Client to be implemented.
type httpClient interface {
	Do(*http.Request) (*http.Response, error)
}

// Client for the slack api.
type Client struct {
	token      string
	endpoint   string
	httpclient httpClient
}

// SlackResponse handles parsing out errors from the web api.
type SlackResponse struct {
	Ok    bool   `json:"ok"`
	Error string `json:"error"`
}

// Err returns the error carried by the response, if any.
func (t SlackResponse) Err() error {
	if t.Ok {
		return nil
	}
	return errors.New(t.Error)
}

type userResponseFull struct {
	SlackResponse
}

type responseParser func(*http.Response) error

func newJSONParser(dst interface{}) responseParser {
	return func(resp *http.Response) error {
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			return err
		}
		return json.Unmarshal(body, dst)
	}
}

func checkStatusCode(resp *http.Response) error {
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("slack server error: %s", resp.Status)
	}
	return nil
}

func doPost(ctx context.Context, client httpClient, req *http.Request, parser responseParser) error {
	req = req.WithContext(ctx)
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()

	err = checkStatusCode(resp)
	if err != nil {
		return err
	}

	return parser(resp)
}

// post a url encoded form.
func postForm(ctx context.Context, client httpClient, endpoint string, values url.Values, intf interface{}) error {
	reqBody := strings.NewReader(values.Encode())
	req, err := http.NewRequest("POST", endpoint, reqBody)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return doPost(ctx, client, req, newJSONParser(intf))
}

// post to a slack web method.
func (api *Client) postMethod(ctx context.Context, path string, values url.Values, intf interface{}) error {
	return postForm(ctx, api.httpclient, api.endpoint+path, values, intf)
}

// SetUserCustomStatusContext will set a custom status and emoji for the currently authenticated user with a custom context
//
// For more information see SetUserCustomStatus
func (api *Client) SetUserCustomStatusContext(ctx context.Context, statusText, statusEmoji string, statusExpiration int64) error {
	return api.SetUserCustomStatusContextWithUser(context.Background(), "", statusText, statusEmoji, statusExpiration)
}

// SetUserCustomStatusContextWithUser will set a custom status and emoji for the provided user with a custom context
//
// For more information see SetUserCustomStatus
func (api *Client) SetUserCustomStatusContextWithUser(ctx context.Context, user, statusText, statusEmoji string, statusExpiration int64) error {
	profile, err := json.Marshal(
		&struct {
			StatusText       string `json:"status_text"`
			StatusEmoji      string `json:"status_emoji"`
			StatusExpiration int64  `json:"status_expiration"`
		}{
			StatusText:       statusText,
			StatusEmoji:      statusEmoji,
			StatusExpiration: statusExpiration,
		},
	)

	if err != nil {
		return err
	}

	values := url.Values{
		"user":    {user},
		"token":   {api.token},
		"profile": {string(profile)},
	}

	response := &userResponseFull{}
	if err = api.postMethod(ctx, "users.profile.set", values, response); err != nil {
		return err
	}

	return response.Err()
}

// UnsetUserCustomStatusContext removes the custom status message for the currently authenticated user
// with a custom context. This is a convenience method that wraps (*Client).SetUserCustomStatus().
func (api *Client) UnsetUserCustomStatusContext(ctx context.Context) error {
	return api.SetUserCustomStatusContext(ctx, "", "", 0)
}
