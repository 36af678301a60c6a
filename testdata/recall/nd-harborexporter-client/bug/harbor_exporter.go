// Recall case nd-harborexporter-client
// Source: github.com/c4po/harbor_exporter commit 891d60f13d8879c78ac652bbd0a66c9c154a189f (harbor_exporter.go)
// Link: https://github.com/c4po/harbor_exporter/commit/891d60f13d8879c78ac652bbd0a66c9c154a189f
// Bug: getHttpClient builds an http.Client with a custom Transport but no Timeout, and request/checkHarborVersion use it (http.NewRequest without context, client.Get), so a stuck Harbor API makes every scrape hang forever and leaks sockets.
// Fix: the http.Client returned by getHttpClient gets Timeout: 10 * time.Second.
// Rule: nodeadline
package exporter

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"log"
	"net/http"
	"time"
)

type HarborExporter struct {
	instance string
	uri      string
	username string
	password string
	timeout  time.Duration
	insecure bool
	apiPath  string
	logger   *log.Logger
	isV2     bool
}

func getHttpClient(skipVerify bool) (*http.Client, error) {
	rootCAs, err := x509.SystemCertPool()
	if err != nil {
		return nil, err
	}
	tlsClientConfig := &tls.Config{
		MinVersion: tls.VersionTLS12,
		RootCAs:    rootCAs,
	}
	if skipVerify {
		tlsClientConfig.InsecureSkipVerify = true
	}
	transport := &http.Transport{
		TLSClientConfig: tlsClientConfig,
	}
	client := &http.Client{
		Transport: transport,
	}
	return client, nil
}

func (h HarborExporter) request(endpoint string) ([]byte, error) {
	req, err := http.NewRequest("GET", h.uri+h.apiPath+endpoint, nil)
	if err != nil {
		h.logger.Println(err.Error())
		return nil, err
	}
	req.SetBasicAuth(h.username, h.password)

	client, err := getHttpClient(h.insecure)
	if err != nil {
		h.logger.Println(err.Error())
		return nil, err
	}

	resp, err := client.Do(req)
	if err != nil {
		h.logger.Println("Error handling request for "+endpoint, err.Error())
		return nil, err
	}
	defer resp.Body.Close()

	if resp.StatusCode != http.StatusOK {
		h.logger.Println("Error handling request for "+endpoint, resp.Status)
		return nil, err
	}

	body, err := io.ReadAll(resp.Body)
	if err != nil {
		h.logger.Println("Error reading response of request for "+endpoint, err.Error())
		return nil, err
	}
	return body, nil
}

func checkHarborVersion(h *HarborExporter) error {
	client, err := getHttpClient(h.insecure)
	if err != nil {
		h.logger.Println(err.Error())
		return err
	}

	resp, err := client.Get(h.uri + "/api/systeminfo")
	if err == nil {
		h.logger.Println("check v1 with /api/systeminfo", resp.StatusCode)
		if resp.StatusCode == 200 {
			h.apiPath = "/api"
			h.isV2 = false
		}
	} else {
		h.logger.Println("check v1 with /api/systeminfo", err)
	}

	resp, err = client.Get(h.uri + "/api/v2.0/systeminfo")
	if err == nil {
		h.logger.Println("check v2 with /api/v2.0/systeminfo", resp.StatusCode)
		if resp.StatusCode == 200 {
			h.apiPath = "/api/v2.0"
			h.isV2 = true
		}
	} else {
		h.logger.Println("check v2 with /api/v2.0/systeminfo", err)
	}

	if h.apiPath == "" {
		return errors.New("unable to determine harbor version")
	}
	return nil
}

// collectStatisticsMetric fetches one of the API endpoints during a scrape.
func (h *HarborExporter) collectStatisticsMetric() bool {
	body, err := h.request("/statistics")
	if err != nil {
		return false
	}
	return len(body) > 0
}
