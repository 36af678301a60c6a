// Recall case nd-ubuntu-report-send
// Source: github.com/ubuntu/ubuntu-report commit 0af5d78c97fc434b382c32632a33b2ad1dc77d2e (internal/sender/send.go)
// Link: https://github.com/ubuntu/ubuntu-report/commit/0af5d78c97fc434b382c32632a33b2ad1dc77d2e
// Bug: Send posts the metrics report with an http.Client{} that has no Timeout and a request without any context deadline, so a metrics server that accepts the connection but never answers hangs the tool forever.
// Fix: the http.Client is created with Timeout: 10 * time.Second.
// Rule: nodeadline
package sender

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/url"
	"path"
)

// BaseURL server to send metrics to
const BaseURL = "https://metrics.ubuntu.com"

// Send to url the json data
func Send(url string, data []byte) error {
	log.Printf("sending %s to %s", data, url)
	req, err := http.NewRequest("POST", url, bytes.NewBuffer(data))
	if err != nil {
		return fmt.Errorf("couldn't create http request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")

	client := &http.Client{}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("couldn't send post http request: %w", err)
	}
	defer resp.Body.Close()

	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("incorrect status code received: %s", resp.Status)
	}

	_, err = io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("POST body answer contained an error: %w", err)
	}
	return nil
}

// GetURL with distro and version marshalling
func GetURL(URL, distro, version string) (string, error) {
	u, err := url.Parse(URL)
	if err != nil {
		return "", fmt.Errorf("invalid base URL: %s: %w", URL, err)
	}
	u.Path = path.Join(u.Path, distro, "desktop", version)
	return u.String(), nil
}

// optOutJSON is the data sent in case of Opt-Out choice
const optOutJSON = `{"OptOut": true}`

// metricsSend mirrors pkg/sysmetrics/run.go, the caller of Send.
func metricsSend(distro, version string, data []byte, acknowledgement bool, baseURL string) error {
	if distro == "" || version == "" {
		return errors.New("couldn't get mandatory information")
	}
	// erase potential collected data
	if !acknowledgement {
		data = []byte(optOutJSON)
	}
	if baseURL == "" {
		baseURL = BaseURL
	}
	u, err := GetURL(baseURL, distro, version)
	if err != nil {
		return fmt.Errorf("report destination url is invalid: %w", err)
	}
	if err := Send(u, data); err != nil {
		return fmt.Errorf("data were not delivered successfully to metrics server: %w", err)
	}
	return nil
}
