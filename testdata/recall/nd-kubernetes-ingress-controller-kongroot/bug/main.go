// Recall case nd-kubernetes-ingress-controller-kongroot
// Source: github.com/Kong/kubernetes-ingress-controller commit fc5de5c9f2fe530e67c55cec8023a882d4de9208 (cli/ingress-controller/main.go)
// Link: https://github.com/Kong/kubernetes-ingress-controller/commit/fc5de5c9f2fe530e67c55cec8023a882d4de9208
// Bug: The startup retry loop calls kongClient.Root(context.Background()) over http.DefaultClient (no Timeout), so a Kong admin API that accepts the connection but never answers hangs the controller forever (issue #766).
// Fix: The call goes through rootWithTimeout, which bounds each Root call with context.WithTimeout(ctx, 3*time.Second).
// Rule: nodeadline
package ingresscontroller

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"time"
)

// KongClient is a reduced stand-in for go-kong's kong.Client.
type KongClient struct {
	baseURL string
	client  *http.Client
}

// NewClient returns a Kong admin API client using the given HTTP client.
func NewClient(baseURL string, c *http.Client) *KongClient {
	return &KongClient{baseURL: baseURL, client: c}
}

// Root fetches the Kong admin API root document (GET /).
func (k *KongClient) Root(ctx context.Context) (map[string]interface{}, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, k.baseURL+"/", nil)
	if err != nil {
		return nil, err
	}
	resp, err := k.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET /: %s", resp.Status)
	}
	var root map[string]interface{}
	if err := json.NewDecoder(resp.Body).Decode(&root); err != nil {
		return nil, err
	}
	return root, nil
}

// fetchKongRoot is the Kong metadata bootstrap part of main().
func fetchKongRoot(kongAdminURL string) map[string]interface{} {

	c := http.DefaultClient
	kongClient := NewClient(kongAdminURL, c)

	var root map[string]interface{}
	var err error
	delay := 1 * time.Second
	retryCount := 0
	for {
		root, err = kongClient.Root(context.Background())
		if err == nil {
			break
		}
		if retryCount > 5 {
			log.Fatalf("failed to fetch metadata from kong: %v", err)
		}
		time.Sleep(delay)
		if delay < 15*time.Second {
			delay *= 2
		}
		retryCount++
		log.Printf("retry %d to fetch metadata from kong: %v", retryCount, err)
		continue
	}
	v, _ := root["version"].(string)
	log.Printf("kong version: %s", v)
	return root
}
