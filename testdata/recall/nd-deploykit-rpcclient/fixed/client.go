// Recall case nd-deploykit-rpcclient
// Source: github.com/docker-archive/deploykit commit ca62ac641c3cefef686996ba50bc41273f6e6442 (pkg/rpc/client/client.go)
// Link: https://github.com/docker-archive/deploykit/commit/ca62ac641c3cefef686996ba50bc41273f6e6442
// Bug: parseAddress builds the RPC http.Client with no Timeout (and a dialer with no timeout), so every client.Call to an unresponsive plugin blocks forever.
// Fix: Set http.Client.Timeout (unix socket) and dial/TLS handshake timeouts (tcp/http) from a configurable INFRAKIT_CLIENT_TIMEOUT, default 1s.
// Rule: nodeadline
package client

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/ioutil"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"path"
	"time"
)

type client struct {
	http *http.Client
	addr string
	url  *url.URL
}

// NewHandshaker returns a generic, untyped rpc object.
func NewHandshaker(address string) (*client, error) {
	u, httpC, err := parseAddress(address)
	if err != nil {
		return nil, err
	}
	return &client{addr: address, http: httpC, url: u}, nil
}

// ClientTimeoutEnv environment variable for the client timeout (in time.Duration)
const ClientTimeoutEnv = "INFRAKIT_CLIENT_TIMEOUT"

// timeout returns the client rpc http timeout
func timeout() time.Duration {
	if parsed, err := time.ParseDuration(os.Getenv(ClientTimeoutEnv)); err == nil {
		return parsed
	}
	return time.Duration(1 * time.Second)
}

func parseAddress(address string) (*url.URL, *http.Client, error) {
	if path.Ext(address) == ".listen" {
		buff, err := ioutil.ReadFile(address)
		if err != nil {
			return nil, nil, err
		}
		address = string(buff)
	}

	u, err := url.Parse(address)
	if err != nil {
		return nil, nil, err
	}
	switch u.Scheme {
	case "", "unix", "file":
		// Socket case
		u.Scheme = "http"
		u.Host = "h"
		u.Path = ""
		return u, &http.Client{
			Timeout: timeout(),
			Transport: &http.Transport{
				Dial: func(proto, addr string) (conn net.Conn, err error) {
					return net.Dial("unix", address)
				},
			}}, nil
	case "tcp":
		u.Scheme = "http"
		fallthrough
	case "http", "https":
		transport := &http.Transport{
			Dial: (&net.Dialer{
				Timeout: timeout(),
			}).Dial,
			TLSHandshakeTimeout: timeout(),
		}
		return u, &http.Client{Transport: transport}, nil

	default:
	}
	return nil, nil, fmt.Errorf("invalid address %v", address)
}

type rpcRequest struct {
	Version string      `json:"jsonrpc"`
	Method  string      `json:"method"`
	Params  interface{} `json:"params"`
	ID      uint64      `json:"id"`
}

type rpcResponse struct {
	Result json.RawMessage `json:"result"`
	Error  interface{}     `json:"error"`
}

// Implements is the method from the Handshaker interface
func (c client) Implements() ([]string, error) {
	var resp struct{ APIs []string }
	if err := c.Call("Handshake.Implements", struct{}{}, &resp); err != nil {
		return nil, err
	}
	return resp.APIs, nil
}

func (c client) Call(method string, arg interface{}, result interface{}) error {
	message, err := json.Marshal(rpcRequest{Version: "2.0", Method: method, Params: arg, ID: 1})
	if err != nil {
		return err
	}

	req, err := http.NewRequest(http.MethodPost, c.url.String(), bytes.NewReader(message))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")

	log.Printf("Sending request %s", string(message))

	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}

	defer resp.Body.Close()

	var r rpcResponse
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return err
	}
	if r.Error != nil {
		return fmt.Errorf("rpc error: %v", r.Error)
	}
	return json.Unmarshal(r.Result, result)
}
