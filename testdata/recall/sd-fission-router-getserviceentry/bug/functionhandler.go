// Recall case sd-fission-router-getserviceentry
// Source: github.com/fission/fission commit dfcf961f7528e0ba138cbc7017824a96fd498aa5 (pkg/router/functionHandler.go)
// Link: https://github.com/fission/fission/commit/dfcf961f7528e0ba138cbc7017824a96fd498aa5
// Bug: getServiceEntryFromExecutor starts a fresh context.WithTimeout(context.Background(), timeout) budget for the executor call, ignoring the ctx that getServiceEntry received from the incoming request.
// Fix: getServiceEntryFromExecutor takes the caller's ctx and derives the function timeout from it (context.WithTimeout(ctx, timeout)).
// Rule: sharedeadline
package router

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// ---- stand-ins ----

type Function struct {
	Name            string `json:"name"`
	Namespace       string `json:"namespace"`
	FunctionTimeout int    `json:"functionTimeout"`
	PoolManager     bool   `json:"-"`
}

// ExecutorClient mirrors executor/client.Client.
type ExecutorClient struct {
	executorURL string
	httpClient  *http.Client
}

// GetServiceForFunction returns the service name for a given function.
func (c *ExecutorClient) GetServiceForFunction(ctx context.Context, fn *Function) (string, error) {
	executorURL := c.executorURL + "/v2/getServiceForFunction"
	body, err := json.Marshal(fn)
	if err != nil {
		return "", fmt.Errorf("could not marshal request body for getting service for function: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, executorURL, bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.httpClient.Do(req)
	if err != nil {
		return "", fmt.Errorf("error posting to getting service for function: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return "", fmt.Errorf("executor returned %s", resp.Status)
	}
	svcName, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", fmt.Errorf("error reading response body from getting service for function: %w", err)
	}
	return string(svcName), nil
}

// throttler stands in for throttler.Throttler.RunOnce.
type throttler struct{ mu sync.Mutex }

func (t *throttler) RunOnce(key string, f func(firstToTheLock bool) (interface{}, error)) (interface{}, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return f(true)
}

type svcEntryRecord struct {
	svcURL   *url.URL
	cacheHit bool
}

type functionHandler struct {
	function               *Function
	executor               *ExecutorClient
	svcAddrUpdateThrottler *throttler
	cache                  sync.Map
}

func (fh *functionHandler) getServiceEntryFromCache() (*url.URL, error) {
	if v, ok := fh.cache.Load(fh.function.Namespace + "/" + fh.function.Name); ok {
		return v.(*url.URL), nil
	}
	return nil, nil
}

func (fh *functionHandler) addServiceEntryToCache(u *url.URL) {
	fh.cache.Store(fh.function.Namespace+"/"+fh.function.Name, u)
}

// ---- code under test ----

func (fh *functionHandler) getServiceEntryFromExecutor() (serviceUrl *url.URL, err error) {
	// send a request to executor to specialize a new pod
	log.Printf("function timeout specified: %d", fh.function.FunctionTimeout)
	timeout := 30 * time.Second
	if fh.function.FunctionTimeout > 0 {
		timeout = time.Second * time.Duration(fh.function.FunctionTimeout)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	service, err := fh.executor.GetServiceForFunction(ctx, fh.function)
	if err != nil {
		log.Printf("error from GetServiceForFunction: %v", err)
		return nil, err
	}
	// parse the address into url
	svcURL, err := url.Parse(fmt.Sprintf("http://%v", service))
	if err != nil {
		log.Printf("error parsing service url: %v", err)
		return nil, err
	}
	return svcURL, err
}

func (fh *functionHandler) getServiceEntry(ctx context.Context) (svcURL *url.URL, cacheHit bool, err error) {
	if fh.function.PoolManager {
		svcURL, err = fh.getServiceEntryFromExecutor()
		return svcURL, false, err
	}
	// Check if service URL present in cache
	svcURL, err = fh.getServiceEntryFromCache()
	if err == nil && svcURL != nil {
		return svcURL, true, nil
	} else if err != nil {
		return nil, false, err
	}

	recordObj, err := fh.svcAddrUpdateThrottler.RunOnce(
		fh.function.Namespace+"/"+fh.function.Name,
		func(firstToTheLock bool) (interface{}, error) {
			if !firstToTheLock {
				svcURL, err := fh.getServiceEntryFromCache()
				if err != nil {
					return nil, err
				}
				return svcEntryRecord{svcURL: svcURL, cacheHit: true}, err
			}
			svcURL, err = fh.getServiceEntryFromExecutor()
			if err != nil {
				return nil, err
			}
			fh.addServiceEntryToCache(svcURL)
			return svcEntryRecord{
				svcURL:   svcURL,
				cacheHit: false,
			}, nil
		},
	)

	record, ok := recordObj.(svcEntryRecord)
	if !ok {
		return nil, false, fmt.Errorf("received unknown service record type")
	}
	return record.svcURL, record.cacheHit, err
}

// RetryingRoundTripper mirrors the caller in functionHandler.go that resolves the
// service URL with the incoming request's context.
type RetryingRoundTripper struct {
	funcHandler *functionHandler
	next        http.RoundTripper
}

func (roundTripper *RetryingRoundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	serviceURL, _, err := roundTripper.funcHandler.getServiceEntry(ctx)
	if err != nil {
		return nil, err
	}
	req.URL.Scheme = serviceURL.Scheme
	req.URL.Host = serviceURL.Host
	return roundTripper.next.RoundTrip(req)
}
