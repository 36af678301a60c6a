// Recall case sd-ctgo-apphandler
// Source: github.com/google/certificate-transparency-go commit e706f9efaaef121fd2c47becd437431eab8fb56f (trillian/ctfe/handlers.go)
// Link: https://github.com/google/certificate-transparency-go/commit/e706f9efaaef121fd2c47becd437431eab8fb56f
// Bug: appHandler.ServeHTTP builds the backend RPC deadline on context.TODO() instead of the request's context, so the onward Log-server call gets a fresh budget and keeps running after the client request is cancelled.
// Fix: derive the deadline context from r.Context().
// Rule: sharedeadline
package ctfe

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"time"
)

const (
	contentTypeHeader string = "Content-Type"
	contentTypeJSON   string = "application/json"
)

// SignedLogRoot is the backend's log root.
type SignedLogRoot struct {
	TimestampNanos int64
	RootHash       []byte
	TreeSize       int64
}

// TrillianLogClient is the backend Log RPC client (stand-in for the gRPC client).
type TrillianLogClient interface {
	GetLatestSignedLogRoot(ctx context.Context, logID int64) (*SignedLogRoot, error)
}

// httpLogClient talks to the Log server over HTTP.
type httpLogClient struct {
	addr string
	hc   *http.Client
}

func (c *httpLogClient) GetLatestSignedLogRoot(ctx context.Context, logID int64) (*SignedLogRoot, error) {
	body, _ := json.Marshal(map[string]int64{"log_id": logID})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.addr+"/GetLatestSignedLogRoot", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var slr SignedLogRoot
	if err := json.NewDecoder(resp.Body).Decode(&slr); err != nil {
		return nil, err
	}
	return &slr, nil
}

// TimeSource can be injected for testing.
type TimeSource interface {
	Now() time.Time
}

// LogContext holds information for a specific log instance.
type LogContext struct {
	logID       int64
	logPrefix   string
	rpcClient   TrillianLogClient
	rpcDeadline time.Duration
	timeSource  TimeSource
}

// appHandler holds a LogContext and a handler function that uses it, and is
// an implementation of the http.Handler interface.
type appHandler struct {
	context LogContext
	handler func(context.Context, LogContext, http.ResponseWriter, *http.Request) (int, error)
	name    string
	method  string
}

// ServeHTTP for an appHandler invokes the underlying handler function but
// does additional common error processing.
func (a appHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != a.method {
		sendHTTPError(w, http.StatusMethodNotAllowed, fmt.Errorf("method not allowed: %s", r.Method))
		return
	}

	if r.Method == http.MethodGet {
		if err := r.ParseForm(); err != nil {
			sendHTTPError(w, http.StatusBadRequest, fmt.Errorf("failed to parse form data: %v", err))
			return
		}
	}

	// Many/most of the handlers forward the request on to the Log RPC server; impose a deadline
	// on this onward request.
	ctx, cancel := context.WithDeadline(r.Context(), getRPCDeadlineTime(a.context))
	defer cancel()

	status, err := a.handler(ctx, a.context, w, r)
	if err != nil {
		log.Printf("%s: %s handler error: %v", a.context.logPrefix, a.name, err)
		sendHTTPError(w, status, err)
		return
	}

	if status != http.StatusOK {
		sendHTTPError(w, http.StatusInternalServerError, fmt.Errorf("http handler misbehaved, status: %d", status))
		return
	}
}

func getSTH(ctx context.Context, c LogContext, w http.ResponseWriter, r *http.Request) (int, error) {
	// Forward on to the Log server.
	slr, err := c.rpcClient.GetLatestSignedLogRoot(ctx, c.logID)
	if err != nil {
		return http.StatusInternalServerError, fmt.Errorf("backend GetLatestSignedLogRoot request failed: %v", err)
	}
	if slr.TreeSize < 0 {
		return http.StatusInternalServerError, fmt.Errorf("bad tree size from backend: %d", slr.TreeSize)
	}
	if hashSize := len(slr.RootHash); hashSize != sha256.Size {
		return http.StatusInternalServerError, fmt.Errorf("bad hash size from backend expecting: %d got %d", sha256.Size, hashSize)
	}

	jsonRsp := map[string]any{
		"tree_size":        slr.TreeSize,
		"sha256_root_hash": slr.RootHash,
		"timestamp":        slr.TimestampNanos / 1000 / 1000,
	}
	w.Header().Set(contentTypeHeader, contentTypeJSON)
	jsonData, err := json.Marshal(&jsonRsp)
	if err != nil {
		return http.StatusInternalServerError, fmt.Errorf("failed to marshal response: %v %v", jsonRsp, err)
	}
	if _, err = w.Write(jsonData); err != nil {
		return http.StatusInternalServerError, fmt.Errorf("failed to write response data: %v", err)
	}
	return http.StatusOK, nil
}

func sendHTTPError(w http.ResponseWriter, statusCode int, err error) {
	http.Error(w, fmt.Sprintf("%s\n%v", http.StatusText(statusCode), err), statusCode)
}

// getRPCDeadlineTime calculates the future time an RPC should expire based on our config
func getRPCDeadlineTime(c LogContext) time.Time {
	return c.timeSource.Now().Add(c.rpcDeadline)
}

// RegisterHandlers wires the handlers into a mux.
func RegisterHandlers(mux *http.ServeMux, c LogContext) {
	mux.Handle("/ct/v1/get-sth", appHandler{context: c, handler: getSTH, name: "GetSTH", method: http.MethodGet})
}
