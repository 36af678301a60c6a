// Recall case nd-safebrowsing-netapi-timeout
// Source: github.com/google/safebrowsing commit bccc75dc71c5d25c608ca575faac6e46d9eed135 (api.go)
// Link: https://github.com/google/safebrowsing/commit/bccc75dc71c5d25c608ca575faac6e46d9eed135
// Bug: netAPI holds a zero-value http.Client (no Timeout) and doRequest builds the POST with http.NewRequest (no context), so a Safe Browsing server that never answers hangs ListUpdate/HashLookup forever.
// Fix: newNetAPI takes a timeout (Config.RequestTimeout, default one minute) and builds &http.Client{Timeout: timeout}.
// Rule: nodeadline
package safebrowsing

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

const (
	findHashPath    = "/v4/fullHashes:find"
	fetchUpdatePath = "/v4/threatListUpdates:fetch"
)

type FetchThreatListUpdatesRequest struct{ ClientID string }
type FetchThreatListUpdatesResponse struct{ MinimumWaitSeconds int }
type FindFullHashesRequest struct{ Hashes [][]byte }
type FindFullHashesResponse struct{ Matches []string }

// The api interface specifies wrappers around the Safe Browsing API.
type api interface {
	ListUpdate(req *FetchThreatListUpdatesRequest) (*FetchThreatListUpdatesResponse, error)
	HashLookup(req *FindFullHashesRequest) (*FindFullHashesResponse, error)
}

// netAPI is an api object that talks to the server over HTTP.
type netAPI struct {
	client http.Client
	url    *url.URL
}

// newNetAPI creates a new netAPI object pointed at the provided root URL.
func newNetAPI(root string, key string) (*netAPI, error) {
	if !strings.Contains(root, "://") {
		root = "https://" + root
	}
	u, err := url.Parse(root)
	if err != nil {
		return nil, err
	}

	q := u.Query()
	q.Set("key", key)
	q.Set("alt", "proto")
	u.RawQuery = q.Encode()
	return &netAPI{url: u}, nil
}

// doRequests performs a POST to requestPath.
func (a *netAPI) doRequest(requestPath string, req any, resp any) error {
	p, err := json.Marshal(req)
	if err != nil {
		return err
	}

	u := *a.url // Make a copy of URL
	u.Path = requestPath
	httpReq, err := http.NewRequest("POST", u.String(), bytes.NewReader(p))
	if err != nil {
		return err
	}
	httpReq.Header.Add("Content-Type", "application/x-protobuf")
	httpResp, err := a.client.Do(httpReq)
	if err != nil {
		return err
	}
	defer httpResp.Body.Close()
	if httpResp.StatusCode != 200 {
		return fmt.Errorf("safebrowsing: unexpected server response code: %d", httpResp.StatusCode)
	}
	body, err := io.ReadAll(httpResp.Body)
	if err != nil {
		return err
	}
	return json.Unmarshal(body, resp)
}

// ListUpdate issues a FetchThreatListUpdates API call and returns the response.
func (a *netAPI) ListUpdate(req *FetchThreatListUpdatesRequest) (*FetchThreatListUpdatesResponse, error) {
	resp := new(FetchThreatListUpdatesResponse)
	return resp, a.doRequest(fetchUpdatePath, req, resp)
}

// HashLookup issues a FindFullHashes API call and returns the response.
func (a *netAPI) HashLookup(req *FindFullHashesRequest) (*FindFullHashesResponse, error) {
	resp := new(FindFullHashesResponse)
	return resp, a.doRequest(findHashPath, req, resp)
}

// Config sets up the SafeBrowser object.
type Config struct {
	ServerURL string
	APIKey    string
	api       api
}

type SafeBrowser struct {
	config Config
	api    api
}

func NewSafeBrowser(conf Config) (*SafeBrowser, error) {
	if conf.ServerURL == "" {
		conf.ServerURL = "safebrowsing.googleapis.com"
	}
	// Create the SafeBrowsing object.
	if conf.api == nil {
		var err error
		conf.api, err = newNetAPI(conf.ServerURL, conf.APIKey)
		if err != nil {
			return nil, err
		}
	}
	return &SafeBrowser{config: conf, api: conf.api}, nil
}

// update fetches the threat list updates from the server.
func (sb *SafeBrowser) update() (*FetchThreatListUpdatesResponse, error) {
	return sb.api.ListUpdate(&FetchThreatListUpdatesRequest{ClientID: "GoSafeBrowser"})
}
