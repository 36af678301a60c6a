// Recall case nd-frp-adminapi
// Source: github.com/fatedier/frp commit ae73ec2fedc13cc2c44039dabba719a318221be5 (pkg/sdk/client/client.go, cmd/frpc/sub/admin.go)
// Link: https://github.com/fatedier/frp/commit/ae73ec2fedc13cc2c44039dabba719a318221be5
// Bug: frpc reload/status/stop subcommands call Client.Reload/GetAllProxyStatus/Stop, which build http.NewRequest without a ctx and send it with http.DefaultClient (no Timeout), so the CLI hangs forever on a stuck admin server.
// Fix: the handlers create context.WithTimeout(context.Background(), adminAPITimeout) and the SDK client methods take ctx and use http.NewRequestWithContext.
// Rule: nodeadline
package frpadmin

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// ---- pkg/sdk/client/client.go ----

type ProxyStatusResp struct {
	Name   string `json:"name"`
	Status string `json:"status"`
}

type StatusResp map[string][]ProxyStatusResp

type Client struct {
	address  string
	authUser string
	authPwd  string
}

func New(host string, port int) *Client {
	return &Client{
		address: net.JoinHostPort(host, strconv.Itoa(port)),
	}
}

func (c *Client) SetAuth(user, pwd string) {
	c.authUser = user
	c.authPwd = pwd
}

func (c *Client) GetAllProxyStatus(ctx context.Context) (StatusResp, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", "http://"+c.address+"/api/status", nil)
	if err != nil {
		return nil, err
	}
	content, err := c.do(req)
	if err != nil {
		return nil, err
	}
	allStatus := make(StatusResp)
	if err = json.Unmarshal([]byte(content), &allStatus); err != nil {
		return nil, fmt.Errorf("unmarshal http response error: %s", strings.TrimSpace(content))
	}
	return allStatus, nil
}

func (c *Client) Reload(ctx context.Context, strictMode bool) error {
	v := url.Values{}
	if strictMode {
		v.Set("strictConfig", "true")
	}
	queryStr := ""
	if len(v) > 0 {
		queryStr = "?" + v.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, "GET", "http://"+c.address+"/api/reload"+queryStr, nil)
	if err != nil {
		return err
	}
	_, err = c.do(req)
	return err
}

func (c *Client) Stop(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, "POST", "http://"+c.address+"/api/stop", nil)
	if err != nil {
		return err
	}
	_, err = c.do(req)
	return err
}

func basicAuth(username, passwd string) string {
	auth := username + ":" + passwd
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(auth))
}

func (c *Client) setAuthHeader(req *http.Request) {
	if c.authUser != "" || c.authPwd != "" {
		req.Header.Set("Authorization", basicAuth(c.authUser, c.authPwd))
	}
}

func (c *Client) do(req *http.Request) (string, error) {
	c.setAuthHeader(req)

	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()

	if resp.StatusCode != 200 {
		return "", fmt.Errorf("api status code [%d]", resp.StatusCode)
	}
	buf, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	return string(buf), nil
}

// ---- cmd/frpc/sub/admin.go ----

type WebServerConfig struct {
	Addr     string
	Port     int
	User     string
	Password string
}

type ClientCommonConfig struct {
	WebServer WebServerConfig
}

var strictConfigMode = true

var adminAPITimeout = 30 * time.Second

func ReloadHandler(clientCfg *ClientCommonConfig) error {
	client := New(clientCfg.WebServer.Addr, clientCfg.WebServer.Port)
	client.SetAuth(clientCfg.WebServer.User, clientCfg.WebServer.Password)
	ctx, cancel := context.WithTimeout(context.Background(), adminAPITimeout)
	defer cancel()
	if err := client.Reload(ctx, strictConfigMode); err != nil {
		return err
	}
	fmt.Println("reload success")
	return nil
}

func StatusHandler(clientCfg *ClientCommonConfig) error {
	client := New(clientCfg.WebServer.Addr, clientCfg.WebServer.Port)
	client.SetAuth(clientCfg.WebServer.User, clientCfg.WebServer.Password)
	ctx, cancel := context.WithTimeout(context.Background(), adminAPITimeout)
	defer cancel()
	res, err := client.GetAllProxyStatus(ctx)
	if err != nil {
		return err
	}

	fmt.Printf("Proxy Status...\n\n")
	for typ, arrs := range res {
		fmt.Println(strings.ToUpper(typ))
		for _, ps := range arrs {
			fmt.Println(ps.Name, ps.Status)
		}
	}
	return nil
}

func StopHandler(clientCfg *ClientCommonConfig) error {
	client := New(clientCfg.WebServer.Addr, clientCfg.WebServer.Port)
	client.SetAuth(clientCfg.WebServer.User, clientCfg.WebServer.Password)
	ctx, cancel := context.WithTimeout(context.Background(), adminAPITimeout)
	defer cancel()
	if err := client.Stop(ctx); err != nil {
		return err
	}
	fmt.Println("stop success")
	return nil
}
