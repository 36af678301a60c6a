// Recall case tl-prebid-server-hookgroupleak
// Source: github.com/prebid/prebid-server commit 04747d85dfaa84d405bbf3e24344958c992428d8 (hooks/hookexecution/execution.go)
// Link: https://github.com/prebid/prebid-server/commit/04747d85dfaa84d405bbf3e24344958c992428d8
// Bug: executeGroup gives each hook goroutine an unbuffered resp channel; collectHookResponses stops reading (break) as soon as one hook rejects, so executeHook goroutines that already took the result or timeout branch block forever on `resp <- ...` (and the wg.Wait/close goroutine leaks with them).
// Fix: Made resp a buffered channel with capacity len(group.Hooks) so every hook can deliver its response without a reader.
// Rule: timeoutleak
package hookexecution

import (
	"context"
	"net/http"
	"sync"
	"time"
)

// HookResult is a stand-in for hookstage.HookResult.
type HookResult[T any] struct {
	Reject  bool
	Message string
	Payload T
}

// ModuleInvocationContext is a stand-in for hookstage.ModuleInvocationContext.
type ModuleInvocationContext struct {
	Endpoint string
	Client   *http.Client
}

// HookWrapper is a stand-in for hooks.HookWrapper.
type HookWrapper[T any] struct {
	Module string
	Code   string
	Hook   T
}

// Group is a stand-in for hooks.Group.
type Group[T any] struct {
	Timeout time.Duration
	Hooks   []HookWrapper[T]
}

// HookID identifies a hook.
type HookID struct {
	ModuleCode   string
	HookImplCode string
}

// TimeoutError is returned for hooks that did not answer in time.
type TimeoutError struct{}

func (TimeoutError) Error() string { return "hook execution timeout" }

type hookResponse[T any] struct {
	Err           error
	ExecutionTime time.Duration
	HookID        HookID
	Result        HookResult[T]
}

type hookHandler[H any, P any] func(
	context.Context,
	ModuleInvocationContext,
	H,
	P,
) (HookResult[P], error)

func executeGroup[H any, P any](
	moduleCtx ModuleInvocationContext,
	group Group[H],
	payload P,
	hookHandler hookHandler[H, P],
) []hookResponse[P] {
	var wg sync.WaitGroup
	rejected := make(chan struct{})
	resp := make(chan hookResponse[P], len(group.Hooks))

	for _, hook := range group.Hooks {
		wg.Add(1)
		go func(hw HookWrapper[H], moduleCtx ModuleInvocationContext) {
			defer wg.Done()
			executeHook(moduleCtx, hw, payload, hookHandler, group.Timeout, resp, rejected)
		}(hook, moduleCtx)
	}

	go func() {
		wg.Wait()
		close(resp)
	}()

	return collectHookResponses(resp, rejected)
}

func executeHook[H any, P any](
	moduleCtx ModuleInvocationContext,
	hw HookWrapper[H],
	payload P,
	hookHandler hookHandler[H, P],
	timeout time.Duration,
	resp chan<- hookResponse[P],
	rejected <-chan struct{},
) {
	hookRespCh := make(chan hookResponse[P], 1)
	startTime := time.Now()
	hookId := HookID{ModuleCode: hw.Module, HookImplCode: hw.Code}

	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		result, err := hookHandler(ctx, moduleCtx, hw.Hook, payload)
		hookRespCh <- hookResponse[P]{
			Result: result,
			Err:    err,
		}
	}()

	select {
	case res := <-hookRespCh:
		res.HookID = hookId
		res.ExecutionTime = time.Since(startTime)
		resp <- res
	case <-time.After(timeout):
		resp <- hookResponse[P]{
			Err:           TimeoutError{},
			ExecutionTime: time.Since(startTime),
			HookID:        hookId,
			Result:        HookResult[P]{},
		}
	case <-rejected:
		return
	}
}

func collectHookResponses[P any](resp <-chan hookResponse[P], rejected chan<- struct{}) []hookResponse[P] {
	hookResponses := make([]hookResponse[P], 0)
	for r := range resp {
		hookResponses = append(hookResponses, r)
		if r.Result.Reject {
			close(rejected)
			break
		}
	}

	return hookResponses
}

// remoteCheckHook is an example hook handler that consults a remote service
// over HTTP with the hook's context.
func remoteCheckHook(ctx context.Context, mc ModuleInvocationContext, _ string, payload []byte) (HookResult[[]byte], error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, mc.Endpoint, nil)
	if err != nil {
		return HookResult[[]byte]{}, err
	}
	r, err := mc.Client.Do(req)
	if err != nil {
		return HookResult[[]byte]{}, err
	}
	defer r.Body.Close()
	return HookResult[[]byte]{Reject: r.StatusCode == http.StatusForbidden, Payload: payload}, nil
}

// RunRemoteChecks executes a group of remote-check hooks.
func RunRemoteChecks(mc ModuleInvocationContext, group Group[string], payload []byte) int {
	return len(executeGroup(mc, group, payload, remoteCheckHook))
}
