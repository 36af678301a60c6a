// Recall case nd-jaeger-client-go-samplingfetch
// Source: github.com/uber/jaeger-client-go commit 52c77a98176c674040a438bd89b5c9a1ec4ea8ec (sampler_remote.go)
// Link: https://github.com/uber/jaeger-client-go/commit/52c77a98176c674040a438bd89b5c9a1ec4ea8ec
// Bug: httpSamplingStrategyFetcher.Fetch uses http.Get (DefaultClient, no timeout, no ctx), so UpdateSampler/pollController can hang forever on a stalled sampling server.
// Fix: Fetch uses a per-fetcher http.Client whose Transport has ResponseHeaderTimeout = 10s (newHTTPSamplingStrategyFetcher).
// Rule: nodeadline
package jaegersampler

import (
	"fmt"
	"io"
	"log"
	"net/http"
	"net/url"
	"sync"
	"time"
)

const (
	defaultSamplingRefreshInterval = time.Minute
)

// SamplingStrategyFetcher is used to fetch sampling strategy updates from remote server.
type SamplingStrategyFetcher interface {
	Fetch(service string) ([]byte, error)
}

// RemotelyControlledSampler periodically polls the sampling server.
type RemotelyControlledSampler struct {
	sync.RWMutex

	serviceName             string
	samplingRefreshInterval time.Duration
	samplingFetcher         SamplingStrategyFetcher
	doneChan                chan *sync.WaitGroup
	strategy                []byte
}

// NewRemotelyControlledSampler creates a sampler that periodically pulls
// the sampling strategy from an HTTP sampling server.
func NewRemotelyControlledSampler(serviceName, samplingServerURL string) *RemotelyControlledSampler {
	sampler := &RemotelyControlledSampler{
		serviceName:             serviceName,
		samplingRefreshInterval: defaultSamplingRefreshInterval,
		samplingFetcher: &httpSamplingStrategyFetcher{
			serverURL: samplingServerURL,
		},
		doneChan: make(chan *sync.WaitGroup),
	}
	go sampler.pollController()
	return sampler
}

// Close stops the polling goroutine.
func (s *RemotelyControlledSampler) Close() {
	var wg sync.WaitGroup
	wg.Add(1)
	s.doneChan <- &wg
	wg.Wait()
}

func (s *RemotelyControlledSampler) pollController() {
	ticker := time.NewTicker(s.samplingRefreshInterval)
	defer ticker.Stop()
	s.pollControllerWithTicker(ticker)
}

func (s *RemotelyControlledSampler) pollControllerWithTicker(ticker *time.Ticker) {
	for {
		select {
		case <-ticker.C:
			s.UpdateSampler()
		case wg := <-s.doneChan:
			wg.Done()
			return
		}
	}
}

// UpdateSampler forces the sampler to fetch sampling strategy from backend server.
func (s *RemotelyControlledSampler) UpdateSampler() {
	res, err := s.samplingFetcher.Fetch(s.serviceName)
	if err != nil {
		log.Printf("failed to fetch sampling strategy: %v", err)
		return
	}
	s.Lock()
	defer s.Unlock()
	s.strategy = res
}

// -----------------------

type httpSamplingStrategyFetcher struct {
	serverURL string
}

func (f *httpSamplingStrategyFetcher) Fetch(serviceName string) ([]byte, error) {
	v := url.Values{}
	v.Set("service", serviceName)
	uri := f.serverURL + "?" + v.Encode()

	// TODO create and reuse http.Client with proper timeout settings, etc.
	resp, err := http.Get(uri)
	if err != nil {
		return nil, err
	}

	defer func() {
		if err := resp.Body.Close(); err != nil {
			log.Printf("failed to close HTTP response body: %+v", err)
		}
	}()

	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}

	if resp.StatusCode >= 400 {
		return nil, fmt.Errorf("StatusCode: %d, Body: %s", resp.StatusCode, body)
	}

	return body, nil
}
