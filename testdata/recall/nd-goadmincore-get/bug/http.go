// Recall case nd-goadmincore-get
// Source: github.com/go-admin-team/go-admin-core commit a83f570dc9181165aa0c20bdfb28369d9470394f (sdk/pkg/http.go)
// Link: https://github.com/go-admin-team/go-admin-core/commit/a83f570dc9181165aa0c20bdfb28369d9470394f
// Bug: Get builds its client as &http.Client{} with a zero Timeout, so a GET to an endpoint that accepts and never answers blocks the (cron job) goroutine forever.
// Fix: Build the client with Timeout: effectiveTimeout(timeout) (30s default) inside a testable get helper.
// Rule: nodeadline
package pkg

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"time"
)

// Get sends a GET request and returns the body.
func Get(url string) (string, error) {

	client := &http.Client{}
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Accept", "*/*")
	req.Header.Set("Content-Type", "application/json")

	resp, err := client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()

	result, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}

	return string(result), nil
}

// Post sends a POST request (already bounded to 5s upstream).
func Post(url string, data interface{}, contentType string) ([]byte, error) {

	client := &http.Client{Timeout: 5 * time.Second}
	jsonStr, err := json.Marshal(data)
	if err != nil {
		return nil, err
	}

	resp, err := client.Post(url, contentType, bytes.NewBuffer(jsonStr))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()

	result, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	return result, nil

}
