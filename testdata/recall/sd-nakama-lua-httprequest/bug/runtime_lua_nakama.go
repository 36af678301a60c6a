// Recall case sd-nakama-lua-httprequest
// Source: github.com/heroiclabs/nakama commit ac6eaa6754ddd0367bb4cefe2b6f743c7c813777 (server/runtime_lua_nakama.go)
// Link: https://github.com/heroiclabs/nakama/commit/ac6eaa6754ddd0367bb4cefe2b6f743c7c813777
// Bug: RuntimeLuaNakamaModule.httpRequest builds the outbound call with http.NewRequest (no ctx) although the RPC's ctx is in scope as l.Context(), and budgets it by mutating the shared n.client.Timeout, so the caller's cancellation/deadline is ignored.
// Fix: create ctx, cancel := context.WithTimeout(l.Context(), timeoutMs) and use http.NewRequestWithContext(ctx, ...); the shared client no longer carries a per-call Timeout.
// Rule: sharedeadline
package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// LState is a reduced stand-in for the gopher-lua state (internal/gopher-lua): it carries the
// Go function's arguments, the pushed results and the context installed with SetContext.
type LState struct {
	ctx  context.Context
	args []any
	rets []any
	err  error
}

// SetContext set a context ctx to this LState. The provided ctx must be non-nil.
func (ls *LState) SetContext(ctx context.Context) { ls.ctx = ctx }

// Context returns the LState's context.
func (ls *LState) Context() context.Context { return ls.ctx }

func (ls *LState) arg(n int) any {
	if n-1 < len(ls.args) {
		return ls.args[n-1]
	}
	return nil
}

func (ls *LState) CheckString(n int) string {
	s, _ := ls.arg(n).(string)
	return s
}

func (ls *LState) OptString(n int, d string) string {
	if s, ok := ls.arg(n).(string); ok {
		return s
	}
	return d
}

func (ls *LState) OptInt64(n int, d int64) int64 {
	if v, ok := ls.arg(n).(int64); ok {
		return v
	}
	return d
}

func (ls *LState) CheckTable(n int) map[string]any {
	t, _ := ls.arg(n).(map[string]any)
	return t
}

func (ls *LState) ArgError(n int, msg string) {
	ls.err = fmt.Errorf("bad argument #%d: %s", n, msg)
}

func (ls *LState) RaiseError(format string, args ...any) {
	ls.err = fmt.Errorf(format, args...)
}

func (ls *LState) Push(v any) { ls.rets = append(ls.rets, v) }

type RuntimeLuaNakamaModule struct {
	client *http.Client
}

func NewRuntimeLuaNakamaModule() *RuntimeLuaNakamaModule {
	return &RuntimeLuaNakamaModule{
		client: &http.Client{
			Timeout: 5 * time.Second,
		},
	}
}

type ctxLoggerFields struct{}

// RuntimeProviderLua is reduced to the RPC entry point: it installs the RPC's ctx on the VM
// and runs the Lua function, which calls back into nk.http_request -> httpRequest.
type RuntimeProviderLua struct {
	vm *LState
	nk *RuntimeLuaNakamaModule
}

func (rp *RuntimeProviderLua) Rpc(ctx context.Context, id string, url, method string, headers map[string]any, body string) (string, error) {
	// Set context value used for logging
	vmCtx := context.WithValue(ctx, ctxLoggerFields{}, map[string]string{"rpc_id": id})
	rp.vm.SetContext(vmCtx)
	rp.vm.args = []any{url, method, headers, body}
	rp.vm.rets = nil
	rp.vm.err = nil
	if n := rp.nk.httpRequest(rp.vm); n != 3 {
		if rp.vm.err == nil {
			rp.vm.err = errors.New("http_request failed")
		}
		return "", rp.vm.err
	}
	return fmt.Sprint(rp.vm.rets[2]), nil
}

func (n *RuntimeLuaNakamaModule) httpRequest(l *LState) int {
	url := l.CheckString(1)
	method := l.CheckString(2)
	headers := l.CheckTable(3)
	body := l.OptString(4, "")
	if url == "" {
		l.ArgError(1, "expects URL string")
		return 0
	}
	if method == "" {
		l.ArgError(2, "expects method string")
		return 0
	}

	// Set a custom timeout if one is provided, or use the default.
	timeoutMs := l.OptInt64(5, 5000)
	n.client.Timeout = time.Duration(timeoutMs) * time.Millisecond

	// Prepare request body, if any.
	var requestBody io.Reader
	if body != "" {
		requestBody = strings.NewReader(body)
	}
	// Prepare the request.
	req, err := http.NewRequest(method, url, requestBody)
	if err != nil {
		l.RaiseError("HTTP request error: %v", err.Error())
		return 0
	}
	// Apply any request headers.
	for k, v := range headers {
		vs, ok := v.(string)
		if !ok {
			l.RaiseError("HTTP header values must be strings")
			return 0
		}
		req.Header.Add(k, vs)
	}
	// Execute the request.
	resp, err := n.client.Do(req)
	if err != nil {
		l.RaiseError("HTTP request error: %v", err.Error())
		return 0
	}
	// Read the response body.
	responseBody, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		l.RaiseError("HTTP response body error: %v", err.Error())
		return 0
	}
	// Read the response headers.
	responseHeaders := make(map[string]any, len(resp.Header))
	for k, vs := range resp.Header {
		// TODO accept multiple values per header
		for _, v := range vs {
			responseHeaders[k] = v
			break
		}
	}

	l.Push(resp.StatusCode)
	l.Push(responseHeaders)
	l.Push(string(responseBody))
	return 3
}
