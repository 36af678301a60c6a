// Recall case sd-kuma-metricshijacker
// Source: github.com/kumahq/kuma commit 3a60ab8ba2ee24f767a03ff0f0379f571513f45c (app/kuma-dp/pkg/dataplane/metrics/server.go)
// Link: https://github.com/kumahq/kuma/commit/3a60ab8ba2ee24f767a03ff0f0379f571513f45c
// Bug: ServeHTTP fans out to getStats, which scrapes each application with s.httpClient.Get under the client's own fixed 10s timeout, ignoring the incoming scrape request's context (its cancellation and the scraper's deadline).
// Fix: drop the fixed client timeout, pass req.Context() into getStats and build the upstream request with that ctx (and stop waiting in ServeHTTP when ctx is done).
// Rule: sharedeadline
package metrics

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"
)

var logger = slog.Default().With("name", "metrics-hijacker")

type MetricsMutator func(in io.Reader, out io.Writer) error

type QueryParametersModifier func(queryParameters url.Values) string

type ApplicationToScrape struct {
	Name          string
	Path          string
	Port          uint32
	QueryModifier QueryParametersModifier
	Mutator       MetricsMutator
}

type Hijacker struct {
	socketPath           string
	httpClient           http.Client
	applicationsToScrape []ApplicationToScrape
}

func New(socketPath string, applicationsToScrape []ApplicationToScrape) *Hijacker {
	return &Hijacker{
		socketPath:           socketPath,
		httpClient:           http.Client{Timeout: 10 * time.Second},
		applicationsToScrape: applicationsToScrape,
	}
}

// We pass QueryParameters only for the specific application.
// Currently, we only support QueryParameters for Envoy metrics.
func rewriteMetricsURL(path string, port uint32, queryModifier QueryParametersModifier, in *url.URL) string {
	u := url.URL{
		Scheme:   "http",
		Host:     fmt.Sprintf("127.0.0.1:%d", port),
		Path:     path,
		RawQuery: queryModifier(in.Query()),
	}
	return u.String()
}

func (s *Hijacker) ServeHTTP(writer http.ResponseWriter, req *http.Request) {
	out := make(chan []byte, len(s.applicationsToScrape))
	var wg sync.WaitGroup
	wg.Add(len(s.applicationsToScrape))
	go func() {
		wg.Wait()
		close(out)
	}()

	for _, app := range s.applicationsToScrape {
		go func(app ApplicationToScrape) {
			defer wg.Done()
			out <- s.getStats(req.URL, app)
		}(app)
	}
	for resp := range out {
		if _, err := writer.Write(resp); err != nil {
			logger.Error("error while writing the response", "err", err)
		}
		if _, err := writer.Write([]byte("\n")); err != nil {
			logger.Error("error while writing the response", "err", err)
		}
	}
}

func (s *Hijacker) getStats(url *url.URL, app ApplicationToScrape) []byte {
	resp, err := s.httpClient.Get(rewriteMetricsURL(app.Path, app.Port, app.QueryModifier, url))
	if err != nil {
		logger.Error("failed call", "err", err, "name", app.Name, "path", app.Path, "port", app.Port)
		return nil
	}
	defer resp.Body.Close()

	var bodyBytes []byte
	if app.Mutator != nil {
		buf := new(bytes.Buffer)
		if err := app.Mutator(resp.Body, buf); err != nil {
			logger.Error("failed while mutating data", "err", err, "name", app.Name, "path", app.Path, "port", app.Port)
			return nil
		}
		bodyBytes = buf.Bytes()
	} else {
		bodyBytes, err = io.ReadAll(resp.Body)
		if err != nil {
			logger.Error("failed while writing", "err", err, "name", app.Name, "path", app.Path, "port", app.Port)
			return nil
		}
	}
	return bodyBytes
}
