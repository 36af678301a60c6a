// Recall case nd-oauthproxy-openshiftclient
// Source: github.com/openshift/oauth-proxy commit 7e5f0988f31e8ff8092e5dc656c936ac5fa7c3d9 (providers/openshift/provider.go)
// Link: https://github.com/openshift/oauth-proxy/commit/7e5f0988f31e8ff8092e5dc656c936ac5fa7c3d9
// Bug: newOpenShiftClient builds (and caches) an *http.Client with no Timeout; every provider call (GetEmailAddress, ReviewUser, Redeem, OAuth discovery) sends requests built with http.NewRequest (no ctx) through it, so an unresponsive OpenShift OAuth server hangs the request goroutine forever.
// Fix: the cached http.Client gets Timeout: 1 * time.Minute.
// Rule: nodeadline
package openshift

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"
)

var ErrPermissionDenied = errors.New("permission denied")

type SessionState struct {
	AccessToken string
	User        string
	Email       string
}

type OpenShiftProvider struct {
	ValidateURL  *url.URL
	ReviewURL    *url.URL
	ReviewCAs    []string
	ClientID     string
	ClientSecret string

	reviews     []string
	hostreviews map[string][]string

	// httpClientCache stores httpClient objects so that new client does not have to
	// be created on each request just to prevent CAs content changed
	httpClientCache sync.Map
}

func (p *OpenShiftProvider) GetReviewCAs() []string { return p.ReviewCAs }

func getFilesMetadataHash(paths []string) (string, error) {
	var b strings.Builder
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&b, "%s:%d:%d;", p, st.Size(), st.ModTime().UnixNano())
	}
	return b.String(), nil
}

func getCertPool(paths []string, systemRoots bool) (*x509.CertPool, error) {
	pool := x509.NewCertPool()
	if systemRoots {
		sp, err := x509.SystemCertPool()
		if err != nil {
			return nil, err
		}
		pool = sp
	}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		pool.AppendCertsFromPEM(data)
	}
	return pool, nil
}

// newOpenShiftClient returns a client for connecting to the master.
func (p *OpenShiftProvider) newOpenShiftClient() (*http.Client, error) {
	paths := p.GetReviewCAs()
	capaths := []string{"/var/run/secrets/kubernetes.io/serviceaccount/ca.crt"}
	systemRoots := true
	if len(paths) != 0 {
		capaths = paths
		systemRoots = false
	}

	// try to retrieve a cached client
	metadataHash, _ := getFilesMetadataHash(capaths)
	if httpClient, ok := p.httpClientCache.Load(metadataHash); ok {
		return httpClient.(*http.Client), nil
	}

	// client not in cache, create new
	pool, err := getCertPool(capaths, systemRoots)
	if err != nil {
		return nil, err
	}

	httpClient := &http.Client{
		Jar: http.DefaultClient.Jar,
		Transport: &http.Transport{
			Proxy:           http.ProxyFromEnvironment,
			TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12},
		},
		Timeout: 1 * time.Minute,
	}
	p.httpClientCache.Store(metadataHash, httpClient)

	return httpClient, nil
}

func (p *OpenShiftProvider) GetEmailAddress(s *SessionState) (string, error) {
	req, err := http.NewRequest("GET", p.ValidateURL.String(), nil)
	if err != nil {
		return "", fmt.Errorf("unable to build request to get user email info: %v", err)
	}

	client, err := p.newOpenShiftClient()
	if err != nil {
		return "", err
	}

	req.Header.Set("Authorization", fmt.Sprintf("Bearer %s", s.AccessToken))
	data, err := request(client, req)
	if err != nil {
		return "", fmt.Errorf("unable to retrieve email address for user from token: %v", err)
	}
	meta, _ := data["metadata"].(map[string]any)
	name, ok := meta["name"].(string)
	if !ok {
		return "", fmt.Errorf("user information has no name field")
	}
	if !strings.Contains(name, "@") {
		name = name + "@cluster.local"
	}
	return name, nil
}

func (p *OpenShiftProvider) ReviewUser(name, accessToken, host string) error {
	var tocheck []string
	if hostreviews, ok := p.hostreviews[host]; ok {
		tocheck = append(tocheck, hostreviews...)
	}
	tocheck = append(tocheck, p.reviews...)

	client, err := p.newOpenShiftClient()
	if err != nil {
		return err
	}

	for _, review := range tocheck {
		req, err := http.NewRequest("POST", p.ReviewURL.String(), bytes.NewBufferString(review))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", fmt.Sprintf("Bearer %s", accessToken))
		data, err := request(client, req)
		if err != nil {
			return err
		}
		allowed, ok := data["allowed"].(bool)
		if !ok {
			return fmt.Errorf("review response has no allowed field")
		}
		if !allowed {
			log.Printf("Permission denied for %s for check %s", name, review)
			return ErrPermissionDenied
		}
	}
	return nil
}

// Copied to override http.Client so that CA can be set
func request(client *http.Client, req *http.Request) (map[string]any, error) {
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		log.Printf("%s %s %s", req.Method, req.URL, err)
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	if resp.StatusCode < 200 || resp.StatusCode >= 300 {
		return nil, fmt.Errorf("got %d %s", resp.StatusCode, body)
	}
	var data map[string]any
	if err := json.Unmarshal(body, &data); err != nil {
		return nil, err
	}
	return data, nil
}
