// Recall case nd-osiris-activator-client
// Source: github.com/deislabs/osiris commit dac750b75e75eda0a3f496c2ac8eaf34ed82dc26 (pkg/deployments/activator/request_handling.go)
// Link: https://github.com/deislabs/osiris/pull/2
// Bug: after reactivating a deployment, handleRequest proxies the request with http.NewRequest + http.DefaultClient.Do (no timeout, no request ctx), so a hanging target pod blocks the activator goroutine forever.
// Fix: NewActivator stores an http.Client with Timeout: 1 minute in activator.httpClient and handleRequest uses a.httpClient.Do.
// Rule: nodeadline
package activator

import (
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

type app struct {
	targetHost string
}

type deploymentActivation struct {
	successCh chan struct{}
	timeoutCh chan struct{}
}

type activator struct {
	appsByHost                map[string]*app
	deploymentActivationsLock sync.Mutex
	srv                       *http.Server
	httpClient                *http.Client
}

func NewActivator() *activator {
	a := &activator{
		appsByHost: map[string]*app{},
		httpClient: &http.Client{
			Timeout: time.Minute * 1,
		},
	}
	a.srv = &http.Server{Addr: ":5000", Handler: http.HandlerFunc(a.handleRequest)}
	return a
}

func (a *activator) handleRequest(w http.ResponseWriter, r *http.Request) {
	app := a.appsByHost[r.Host]
	deploymentActivation := &deploymentActivation{successCh: make(chan struct{}), timeoutCh: make(chan struct{})}

	select {
	case <-deploymentActivation.successCh:
		targetURL := fmt.Sprintf("http://%s%s", app.targetHost, r.RequestURI)
		req, err := http.NewRequest(r.Method, targetURL, r.Body)
		if err != nil {
			a.returnError(w, http.StatusServiceUnavailable)
			return
		}
		resp, err := a.httpClient.Do(req)
		if err != nil {
			a.returnError(w, http.StatusServiceUnavailable)
			return
		}
		defer resp.Body.Close()
		w.WriteHeader(resp.StatusCode)
		respBody, _ := io.ReadAll(resp.Body)
		w.Write(respBody)
	case <-deploymentActivation.timeoutCh:
		a.returnError(w, http.StatusServiceUnavailable)
	}
}

func (a *activator) returnError(w http.ResponseWriter, statusCode int) {
	w.WriteHeader(statusCode)
}
