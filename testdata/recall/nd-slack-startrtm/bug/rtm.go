// Recall case nd-slack-startrtm
// Source: github.com/slack-go/slack commit d86785d50d4be9c2e11cfbb0ed601f5dcb22899c (rtm.go, websocket_proxy.go)
// Link: https://github.com/slack-go/slack/commit/d86785d50d4be9c2e11cfbb0ed601f5dcb22899c
// Bug: RTM.startRTMAndDial calls Client.StartRTM/ConnectRTM, which pass context.Background() to post -> postForm -> HTTPClient.Do on an http.Client{} without Timeout, and websocketProxyDial dials with no timeout; a stalled network locks the RTM connect forever.
// Fix: StartRTM/ConnectRTM derive context.WithTimeout(context.Background(), websocketDefaultTimeout) and websocketProxyDial sets config.Dialer = &net.Dialer{Timeout: 10s}.
// Rule: nodeadline
package slack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// SLACK_API is the base URL of the Slack Web API.
var SLACK_API = "https://slack.com/api/"

// HTTPRequester defines the minimal interface needed for an http.Client to be implemented.
type HTTPRequester interface {
	Do(*http.Request) (*http.Response, error)
}

var customHTTPClient HTTPRequester

// HTTPClient sets a custom http.Client
// deprecated: in favor of SetHTTPClient()
var HTTPClient = &http.Client{}

func getHTTPClient() HTTPRequester {
	if customHTTPClient != nil {
		return customHTTPClient
	}

	return HTTPClient
}

// Info contains the RTM session information.
type Info struct {
	URL string `json:"url,omitempty"`
}

type infoResponseFull struct {
	Info
	Ok    bool   `json:"ok"`
	Error string `json:"error"`
}

type clientConfig struct {
	token string
}

// Client is the Slack API client.
type Client struct {
	config clientConfig
	debug  bool
}

// RTM represents a managed websocket connection.
type RTM struct {
	Client
	useRTMStart bool
}

func postForm(ctx context.Context, endpoint string, values url.Values, intf interface{}, debug bool) error {
	reqBody := strings.NewReader(values.Encode())
	req, err := http.NewRequest("POST", endpoint, reqBody)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")

	req = req.WithContext(ctx)
	resp, err := getHTTPClient().Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()

	// Slack seems to send an HTML body along with 5xx error codes. Don't parse it.
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("Slack server error: %s.", resp.Status)
	}

	response, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	return json.Unmarshal(response, &intf)
}

func post(ctx context.Context, path string, values url.Values, intf interface{}, debug bool) error {
	return postForm(ctx, SLACK_API+path, values, intf, debug)
}

// StartRTM calls the "rtm.start" endpoint and returns the provided URL and the full Info block.
func (api *Client) StartRTM() (info *Info, websocketURL string, err error) {
	return api.StartRTMContext(context.Background())
}

// StartRTMContext calls the "rtm.start" endpoint and returns the provided URL and the full Info block with a custom context.
func (api *Client) StartRTMContext(ctx context.Context) (info *Info, websocketURL string, err error) {
	response := &infoResponseFull{}
	err = post(ctx, "rtm.start", url.Values{"token": {api.config.token}}, response, api.debug)
	if err != nil {
		return nil, "", fmt.Errorf("post: %s", err)
	}
	if !response.Ok {
		return nil, "", errors.New(response.Error)
	}
	return &response.Info, response.Info.URL, nil
}

// ConnectRTM calls the "rtm.connect" endpoint and returns the provided URL and the compact Info block.
func (api *Client) ConnectRTM() (info *Info, websocketURL string, err error) {
	return api.ConnectRTMContext(context.Background())
}

// ConnectRTMContext calls the "rtm.connect" endpoint and returns the provided URL and the compact Info block with a custom context.
func (api *Client) ConnectRTMContext(ctx context.Context) (info *Info, websocketURL string, err error) {
	response := &infoResponseFull{}
	err = post(ctx, "rtm.connect", url.Values{"token": {api.config.token}}, response, api.debug)
	if err != nil {
		return nil, "", fmt.Errorf("post: %s", err)
	}
	if !response.Ok {
		return nil, "", errors.New(response.Error)
	}
	return &response.Info, response.Info.URL, nil
}

// startRTMAndDial attempts to connect to the slack websocket. If useRTMStart is true,
// then it returns the  full information returned by the "rtm.start" method on the
// slack API. Else it uses the "rtm.connect" method to connect
func (rtm *RTM) startRTMAndDial(useRTMStart bool) (*Info, net.Conn, error) {
	var info *Info
	var url string
	var err error

	if useRTMStart {
		info, url, err = rtm.StartRTM()
	} else {
		info, url, err = rtm.ConnectRTM()
	}
	if err != nil {
		return nil, nil, err
	}

	// Only use HTTPS for connections to prevent MITM attacks on the connection.
	conn, err := websocketProxyDial(url, "https://api.slack.com")
	if err != nil {
		return nil, nil, err
	}
	return info, conn, err
}

func websocketProxyDial(urlString, origin string) (ws net.Conn, err error) {
	return websocketDial(urlString, "", origin)
}
