// Recall case nd-netmaker-apiclient
// Source: github.com/gravitl/netmaker commit a17173fa0f8c496499b5f782f18546b47412d4ea (netclient/functions/common.go)
// Link: https://github.com/gravitl/netmaker/commit/a17173fa0f8c496499b5f782f18546b47412d4ea
// Bug: The netclient API helper sends every request to the Netmaker server through a zero-value http.Client{} (no Timeout) with a request built by http.NewRequest (no context), so Pull/Authenticate can hang forever on an unresponsive server.
// Fix: The http.Client is given Timeout: HTTP_TIMEOUT * time.Second (30s).
// Rule: nodeadline
package functions

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"
)

// HTTP_TIMEOUT - timeout in seconds for http requests
const HTTP_TIMEOUT = 30

// ClientConfig is a reduced netclient config.
type ClientConfig struct {
	Network string
	API     string
	NodeID  string
	Secret  string
}

// NodeGet is a reduced models.NodeGet.
type NodeGet struct {
	Node  map[string]any `json:"node"`
	Peers []any          `json:"peers"`
}

// API - calls the api
func API(data any, method, url, authorization string) (*http.Response, error) {
	var request *http.Request
	var err error
	if data != "" {
		payload, err := json.Marshal(data)
		if err != nil {
			return nil, fmt.Errorf("error encoding data %w", err)
		}
		request, err = http.NewRequest(method, url, bytes.NewBuffer(payload))
		if err != nil {
			return nil, fmt.Errorf("error creating http request %w", err)
		}
		request.Header.Set("Content-Type", "application/json")
	} else {
		request, err = http.NewRequest(method, url, nil)
		if err != nil {
			return nil, fmt.Errorf("error creating http request %w", err)
		}
	}
	if authorization != "" {
		request.Header.Set("authorization", "Bearer "+authorization)
	}
	client := http.Client{
		Timeout: HTTP_TIMEOUT * time.Second,
	}
	return client.Do(request)
}

// Authenticate authenticates with api to permit subsequent interactions with the api
func Authenticate(cfg *ClientConfig) (string, error) {
	pass, err := os.ReadFile(cfg.Secret)
	if err != nil {
		return "", fmt.Errorf("could not read secrets file %w", err)
	}
	data := map[string]string{
		"macaddress": cfg.NodeID,
		"password":   strings.TrimSpace(string(pass)),
	}
	url := "https://" + cfg.API + "/api/nodes/adm/" + cfg.Network + "/authenticate"
	response, err := API(data, http.MethodPost, url, "")
	if err != nil {
		return "", err
	}
	defer response.Body.Close()
	if response.StatusCode != http.StatusOK {
		bodybytes, _ := io.ReadAll(response.Body)
		return "", fmt.Errorf("failed to authenticate %s %s", response.Status, string(bodybytes))
	}
	var body struct {
		Response struct {
			AuthToken string
		}
	}
	if err := json.NewDecoder(response.Body).Decode(&body); err != nil {
		return "", fmt.Errorf("error decoding respone %w", err)
	}
	return body.Response.AuthToken, nil
}

// Pull - pulls the latest config from the server
func Pull(cfg *ClientConfig) (*NodeGet, error) {
	token, err := Authenticate(cfg)
	if err != nil {
		return nil, err
	}
	url := "https://" + cfg.API + "/api/nodes/" + cfg.Network + "/" + cfg.NodeID
	response, err := API("", http.MethodGet, url, token)
	if err != nil {
		return nil, err
	}
	if response.StatusCode != http.StatusOK {
		bytes, err := io.ReadAll(response.Body)
		if err != nil {
			fmt.Println(err)
		}
		return nil, (fmt.Errorf("%s %w", string(bytes), err))
	}
	defer response.Body.Close()
	var nodeGET NodeGet
	if err := json.NewDecoder(response.Body).Decode(&nodeGET); err != nil {
		return nil, fmt.Errorf("error decoding node %w", err)
	}
	return &nodeGET, nil
}
