// Recall case tl-tektonpipeline-resolverchan
// Source: github.com/tektoncd/pipeline commit fe38125b4fad5df8401f5b7f7112ca788edbd5c6 (pkg/resolution/resolver/framework/reconciler.go)
// Link: https://github.com/tektoncd/pipeline/commit/fe38125b4fad5df8401f5b7f7112ca788edbd5c6
// Bug: Reconciler.resolve returns on resolutionCtx.Done() while the goroutine running Resolve later blocks forever sending on the unbuffered errChan/resourceChan.
// Fix: errChan and resourceChan are created with a buffer of 1 so the worker goroutine can always complete its send.
// Rule: timeoutleak
package framework

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// ResolvedResource is the data returned by a resolver.
type ResolvedResource interface {
	Data() []byte
}

// Param is a resolution request parameter.
type Param struct {
	Name  string
	Value string
}

// ResolutionRequest is the (reduced) object being reconciled.
type ResolutionRequest struct {
	Name   string
	Params []Param
	done   bool
	Status string
	Data   []byte
}

// IsDone reports whether the request already reached a terminal state.
func (rr *ResolutionRequest) IsDone() bool { return rr.done }

// Resolver is the interface a remote resolver implements.
type Resolver interface {
	GetName(ctx context.Context) string
	ValidateParams(ctx context.Context, params []Param) error
	Resolve(ctx context.Context, params []Param) (ResolvedResource, error)
}

// TimedResolution lets a resolver override the resolution timeout.
type TimedResolution interface {
	GetResolutionTimeout(ctx context.Context, defaultTimeout time.Duration, params map[string]string) (time.Duration, error)
}

// InvalidRequestError is returned when params do not validate.
type InvalidRequestError struct {
	ResolutionRequestKey string
	Message              string
}

func (e *InvalidRequestError) Error() string {
	return fmt.Sprintf("invalid resource request %q: %s", e.ResolutionRequestKey, e.Message)
}

// GetResourceError is returned when the resolver fails to fetch the resource.
type GetResourceError struct {
	ResolverName string
	Key          string
	Original     error
}

func (e *GetResourceError) Error() string {
	return fmt.Sprintf("error getting %q %q: %v", e.ResolverName, e.Key, e.Original)
}

func (e *GetResourceError) Unwrap() error { return e.Original }

// Reconciler handles ResolutionRequest objects.
type Reconciler struct {
	resolver Resolver
	lister   map[string]*ResolutionRequest
}

const defaultMaximumResolutionDuration = time.Minute

// Reconcile looks up the ResolutionRequest and delegates to resolve.
func (r *Reconciler) Reconcile(ctx context.Context, key string) error {
	rr, ok := r.lister[key]
	if !ok {
		return fmt.Errorf("resolution request %q not found", key)
	}
	if rr.IsDone() {
		return nil
	}
	return r.resolve(ctx, key, rr)
}

func (r *Reconciler) resolve(ctx context.Context, key string, rr *ResolutionRequest) error {
	errChan := make(chan error, 1)
	resourceChan := make(chan ResolvedResource, 1)

	paramsMap := make(map[string]string)
	for _, p := range rr.Params {
		paramsMap[p.Name] = p.Value
	}

	timeoutDuration := defaultMaximumResolutionDuration
	if timed, ok := r.resolver.(TimedResolution); ok {
		var err error
		timeoutDuration, err = timed.GetResolutionTimeout(ctx, defaultMaximumResolutionDuration, paramsMap)
		if err != nil {
			return err
		}
	}

	// A new context is created for resolution so that timeouts can
	// be enforced without affecting other uses of ctx (e.g. sending
	// Updates to ResolutionRequest objects).
	resolutionCtx, cancelFn := context.WithTimeout(ctx, timeoutDuration)
	defer cancelFn()

	go func() {
		validationError := r.resolver.ValidateParams(resolutionCtx, rr.Params)
		if validationError != nil {
			errChan <- &InvalidRequestError{
				ResolutionRequestKey: key,
				Message:              validationError.Error(),
			}
			return
		}
		resource, resolveErr := r.resolver.Resolve(resolutionCtx, rr.Params)
		if resolveErr != nil {
			errChan <- &GetResourceError{
				ResolverName: r.resolver.GetName(resolutionCtx),
				Key:          key,
				Original:     resolveErr,
			}
			return
		}
		if err := ValidateResolvedResource(resource); err != nil {
			errChan <- &GetResourceError{
				ResolverName: r.resolver.GetName(resolutionCtx),
				Key:          key,
				Original:     fmt.Errorf("resolved resource validation error: %w", err),
			}
			return
		}
		resourceChan <- resource
	}()

	select {
	case err := <-errChan:
		if err != nil {
			return r.OnError(ctx, rr, err)
		}
	case <-resolutionCtx.Done():
		if err := resolutionCtx.Err(); err != nil {
			return r.OnError(ctx, rr, err)
		}
	case resource := <-resourceChan:
		return r.writeResolvedData(ctx, rr, resource)
	}

	return errors.New("unknown error")
}

// ValidateResolvedResource rejects empty resources.
func ValidateResolvedResource(resource ResolvedResource) error {
	if resource == nil || len(resource.Data()) == 0 {
		return errors.New("resolved resource is empty")
	}
	return nil
}

// OnError marks the request as failed.
func (r *Reconciler) OnError(ctx context.Context, rr *ResolutionRequest, err error) error {
	if rr == nil {
		return err
	}
	rr.done = true
	rr.Status = "Failed: " + err.Error()
	return err
}

func (r *Reconciler) writeResolvedData(ctx context.Context, rr *ResolutionRequest, resource ResolvedResource) error {
	rr.done = true
	rr.Status = "Succeeded"
	rr.Data = resource.Data()
	return nil
}

// --- stub resolver: fetches the resource over HTTP, like tekton's http resolver ---

type bytesResource []byte

func (b bytesResource) Data() []byte { return b }

// httpResolver stands in for a real remote resolver (git/oci/http).
type httpResolver struct {
	client *http.Client
}

func (h *httpResolver) GetName(ctx context.Context) string { return "Http" }

func (h *httpResolver) ValidateParams(ctx context.Context, params []Param) error {
	for _, p := range params {
		if p.Name == "url" && p.Value != "" {
			return nil
		}
	}
	return errors.New("missing url param")
}

func (h *httpResolver) Resolve(ctx context.Context, params []Param) (ResolvedResource, error) {
	var url string
	for _, p := range params {
		if p.Name == "url" {
			url = p.Value
		}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := h.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	return bytesResource(data), nil
}

// NewReconciler wires the reconciler with the HTTP resolver.
func NewReconciler(client *http.Client, requests map[string]*ResolutionRequest) *Reconciler {
	return &Reconciler{resolver: &httpResolver{client: client}, lister: requests}
}
