// Recall case nd-triggers-interceptor
// Source: github.com/tektoncd/triggers commit e50bb3a3fddadb24bdc80a593a50ab796b8bdc83 (pkg/sink/sink.go)
// Link: https://github.com/tektoncd/triggers/commit/e50bb3a3fddadb24bdc80a593a50ab796b8bdc83
// Bug: Resource.processEvent builds the interceptor request with context.Background() and sends it via makeRequest on http.DefaultClient (no Timeout), so a slow interceptor blocks executeTrigger/HandleEvent forever
// Fix: processEvent takes a timeout (interceptorTimeout = 5s) and uses context.WithTimeout for the outgoing request
// Rule: nodeadline
package sink

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/url"
)

// Param is a reduced stand-in for pipelinev1.Param (string values only).
type Param struct {
	Name  string
	Value string
}

// EventListenerTrigger is a reduced stand-in for triggersv1.EventListenerTrigger.
type EventListenerTrigger struct {
	Name        string
	Interceptor *EventInterceptor
}

// EventInterceptor is a reduced stand-in for triggersv1.EventInterceptor.
type EventInterceptor struct {
	ServiceName string
	Header      []Param
}

// Resource defines the sink resource for processing incoming events for the
// EventListener.
type Resource struct {
	HTTPClient             *http.Client
	EventListenerName      string
	EventListenerNamespace string
	// Triggers stands in for the EventListener fetched from the API server.
	Triggers []EventListenerTrigger
}

// newSinkResource mirrors the wiring in cmd/eventlistenersink/main.go.
func newSinkResource(name, namespace string, triggers []EventListenerTrigger) Resource {
	return Resource{
		HTTPClient:             http.DefaultClient,
		EventListenerName:      name,
		EventListenerNamespace: namespace,
		Triggers:               triggers,
	}
}

// HandleEvent processes an incoming HTTP event for the event listener.
func (r Resource) HandleEvent(response http.ResponseWriter, request *http.Request) {
	event, err := io.ReadAll(request.Body)
	if err != nil {
		log.Printf("Error reading event body: %s", err)
		response.WriteHeader(http.StatusInternalServerError)
		return
	}

	result := make(chan int, 10)
	// Execute each Trigger
	for _, trigger := range r.Triggers {
		go r.executeTrigger(event, request, trigger, result)
	}

	code := http.StatusAccepted
	for i := 0; i < len(r.Triggers); i++ {
		thiscode := <-result
		if thiscode < code {
			code = thiscode
		}
	}
	response.WriteHeader(code)
}

// GetURI is a reduced version of the upstream helper resolving the interceptor service.
func GetURI(serviceName, ns string) (*url.URL, error) {
	if serviceName == "" {
		return nil, errors.New("Invalid objRef")
	}
	return url.Parse(fmt.Sprintf("http://%s.%s.svc/", serviceName, ns))
}

func (r Resource) executeTrigger(payload []byte, request *http.Request, trigger EventListenerTrigger, result chan int) {
	if trigger.Interceptor != nil {
		interceptorURL, err := GetURI(trigger.Interceptor.ServiceName, r.EventListenerNamespace)
		if err != nil {
			log.Printf("Could not resolve Interceptor Service URI: %q", err)
			result <- http.StatusAccepted
			return
		}

		modifiedPayload, err := r.processEvent(interceptorURL, request, payload, trigger.Interceptor.Header)
		if err != nil {
			log.Printf("Error Intercepting Event: %q", err)
			result <- http.StatusAccepted
			return
		}
		payload = modifiedPayload
	}
	// Resource creation from payload cut.
	_ = payload
	result <- http.StatusCreated
}

func (r Resource) processEvent(interceptorURL *url.URL, request *http.Request, payload []byte, headerParams []Param) ([]byte, error) {
	outgoing := createOutgoingRequest(context.Background(), request, interceptorURL, payload)
	addInterceptorHeaders(outgoing.Header, headerParams)
	respPayload, err := makeRequest(r.HTTPClient, outgoing)
	if err != nil {
		return nil, fmt.Errorf("Not OK response from Event Processor: %w", err)
	}
	return respPayload, nil
}

func addInterceptorHeaders(header http.Header, headerParams []Param) {
	// This clobbers any matching headers
	for _, param := range headerParams {
		header[param.Name] = []string{param.Value}
	}
}

func createOutgoingRequest(ctx context.Context, original *http.Request, url *url.URL, payload []byte) *http.Request {
	r := original.Clone(ctx)
	r.RequestURI = "" // RequestURI cannot be set in outgoing requests
	r.URL = url
	r.Body = io.NopCloser(bytes.NewBuffer(payload))
	return r
}

func makeRequest(client *http.Client, request *http.Request) ([]byte, error) {
	resp, err := client.Do(request)
	if err != nil {
		return nil, fmt.Errorf("Failed to proxy request to interceptor: %w", err)
	}
	defer resp.Body.Close()

	respBody, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, errors.New("Failed to parse response body")
	}

	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("Request rejected; status: %s; message: %s", resp.Status, respBody)
	}
	return respBody, nil
}
