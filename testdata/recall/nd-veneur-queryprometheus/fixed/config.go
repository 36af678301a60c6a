// Recall case nd-veneur-queryprometheus
// Source: github.com/stripe/veneur commit cce85bbc17f4730db76b7a37e0ca1ef945c17af2 (cmd/veneur-prometheus/prometheus.go, cmd/veneur-prometheus/main.go)
// Link: https://github.com/stripe/veneur/commit/cce85bbc17f4730db76b7a37e0ca1ef945c17af2
// Bug: Every tick, queryPrometheus scrapes the metrics host with httpClient.Get(host); the client is &http.Client{Transport: ...} with no Timeout and the request has no ctx, so a stalled Prometheus endpoint blocks the collection goroutine forever.
// Fix: Each tick gets a ctx with a deadline of one interval, which is threaded through collect into QueryPrometheus and used via http.NewRequestWithContext.
// Rule: nodeadline
package veneurprometheus

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"os"
	"regexp"
)

type prometheusConfig struct {
	metricsHost    string
	httpClient     *http.Client
	ignoredMetrics []*regexp.Regexp
}

func newHTTPClient(certPath, keyPath, caCertPath string) (*http.Client, error) {
	transport, err := httpTransport(certPath, keyPath, caCertPath)
	if err != nil {
		return nil, err
	}

	return &http.Client{Transport: transport}, nil
}

func httpTransport(certPath, keyPath, caCertPath string) (http.RoundTripper, error) {
	var caCertPool *x509.CertPool
	var clientCerts []tls.Certificate

	if certPath != "" {
		clientCert, err := tls.LoadX509KeyPair(certPath, keyPath)
		if err != nil {
			return nil, fmt.Errorf("error reading client cert and key: %s", err)
		}
		clientCerts = append(clientCerts, clientCert)
	}

	if caCertPath != "" {
		caCertPool = x509.NewCertPool()
		caCert, err := os.ReadFile(caCertPath)
		if err != nil {
			return nil, fmt.Errorf("error reading ca cert: %s", err)
		}
		caCertPool.AppendCertsFromPEM(caCert)
	}

	return &http.Transport{
		TLSClientConfig: &tls.Config{
			Certificates: clientCerts,
			RootCAs:      caCertPool,
		},
	}, nil
}

func shouldExportMetric(name string, ignoredMetrics []*regexp.Regexp) bool {
	for _, ignoredMetric := range ignoredMetrics {
		if ignoredMetric.MatchString(name) {
			return false
		}
	}
	return true
}

func sendToStatsd(stats <-chan []string) {
	for batch := range stats {
		for _, s := range batch {
			fmt.Println(s)
		}
	}
}

// translatePrometheus stands in for the real translator: it turns scraped
// metric families into statsd lines on another goroutine.
func translatePrometheus(prometheus <-chan string) <-chan []string {
	statsd := make(chan []string)
	go func() {
		defer close(statsd)
		for name := range prometheus {
			statsd <- []string{name + ":1|c"}
		}
	}()
	return statsd
}
