// Recall case nd-deviceplane-reqctx
// Source: github.com/deviceplane/deviceplane commit 9c92765726750f2b2e51507dbb196206c2d1618e (pkg/agent/client/client.go)
// Link: https://github.com/deviceplane/deviceplane/commit/9c92765726750f2b2e51507dbb196206c2d1618e
// Bug: the agent client's get/post/delete helpers accept a ctx (which callers give a timeout) but build the request with http.NewRequest and send it on http.DefaultClient, so the HTTP calls to the controller have no deadline and can hang forever.
// Fix: requests are built with the caller's ctx (http.NewRequestWithContext via a dphttp.NewRequest(ctx, ...) helper).
// Rule: nodeadline
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"path"
	"time"
)

// Context mirrors pkg/context.Context: a context that always carries a timeout.
type Context struct {
	context.Context
}

// NewContext mirrors dpcontext.New.
func NewContext(ctx context.Context, timeout time.Duration) (*Context, func()) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	return &Context{Context: ctx}, cancel
}

type Bundle struct {
	Applications []string `json:"applications"`
}

type DeviceInfo struct {
	AgentVersion string `json:"agentVersion"`
	IPAddress    string `json:"ipAddress"`
}

type SetDeviceInfoRequest struct {
	DeviceInfo DeviceInfo `json:"deviceInfo"`
}

type Client struct {
	url        *url.URL
	projectID  string
	httpClient *http.Client

	deviceID  string
	accessKey string
}

func NewClient(url *url.URL, projectID string, httpClient *http.Client) *Client {
	if httpClient == nil {
		httpClient = http.DefaultClient
	}
	return &Client{
		url:        url,
		projectID:  projectID,
		httpClient: httpClient,
	}
}

func (c *Client) GetBundle(ctx *Context) (*Bundle, error) {
	var bundle Bundle
	if err := c.get(ctx, &bundle, "projects", c.projectID, "devices", c.deviceID, "bundle"); err != nil {
		return nil, err
	}
	return &bundle, nil
}

func (c *Client) SetDeviceInfo(ctx *Context, req SetDeviceInfoRequest) error {
	return c.post(ctx, req, nil, "projects", c.projectID, "devices", c.deviceID, "info")
}

func (c *Client) DeleteDeviceApplicationStatus(ctx *Context, applicationID string) error {
	return c.delete(ctx, nil, "projects", c.projectID, "devices", c.deviceID, "applications", applicationID, "deviceapplicationstatuses")
}

func (c *Client) get(ctx *Context, out interface{}, s ...string) error {
	req, err := NewRequest(ctx, "GET", getURL(c.url, s...), nil)
	if err != nil {
		return err
	}
	req.SetBasicAuth(c.accessKey, "")

	resp, err := c.httpClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()

	bytes, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}

	if len(bytes) == 0 {
		return nil
	}

	return json.Unmarshal(bytes, &out)
}

func (c *Client) post(ctx *Context, in, out interface{}, s ...string) error {
	reqBytes, err := json.Marshal(in)
	if err != nil {
		return err
	}
	reader := bytes.NewReader(reqBytes)

	req, err := NewRequest(ctx, "POST", getURL(c.url, s...), reader)
	if err != nil {
		return err
	}
	req.SetBasicAuth(c.accessKey, "")

	resp, err := c.httpClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()

	bytes, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}

	if len(bytes) == 0 {
		return nil
	}

	return json.Unmarshal(bytes, &out)
}

func (c *Client) delete(ctx *Context, out interface{}, s ...string) error {
	req, err := NewRequest(ctx, "DELETE", getURL(c.url, s...), nil)
	if err != nil {
		return err
	}
	req.SetBasicAuth(c.accessKey, "")

	resp, err := c.httpClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()

	bytes, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}

	if len(bytes) == 0 {
		return nil
	}

	return json.Unmarshal(bytes, &out)
}

// NewRequest mirrors pkg/http.NewRequest: every request carries the caller's context.
func NewRequest(ctx *Context, method, url string, body io.Reader) (*http.Request, error) {
	return http.NewRequestWithContext(ctx, method, url, body)
}

func getURL(u *url.URL, s ...string) string {
	ret := *u
	ret.Path = path.Join(append([]string{u.Path}, s...)...)
	return ret.String()
}

// Reporter mirrors pkg/agent/info.Reporter, a caller that bounds its request with a timeout.
type Reporter struct {
	client       *Client
	agentVersion string
	info         DeviceInfo
}

func (r *Reporter) Report() error {
	newInfo := DeviceInfo{AgentVersion: r.agentVersion}

	if newInfo != r.info {
		ctx, cancel := NewContext(context.Background(), time.Minute)
		defer cancel()

		if err := r.client.SetDeviceInfo(ctx, SetDeviceInfoRequest{
			DeviceInfo: newInfo,
		}); err != nil {
			return err
		}

		r.info = newInfo
	}

	return nil
}
