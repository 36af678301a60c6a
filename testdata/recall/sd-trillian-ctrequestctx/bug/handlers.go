// Recall case sd-trillian-ctrequestctx
// Source: github.com/google/trillian commit 0d0a4307193ecc5bd56a174e97a3196cf3bfdb7c (examples/ct/handlers.go)
// Link: https://github.com/google/trillian/commit/0d0a4307193ecc5bd56a174e97a3196cf3bfdb7c
// Bug: appHandler.ServeHTTP imposes the backend RPC deadline with context.WithDeadline(context.TODO(), ...), a fresh budget that ignores the incoming request's context, so backend calls keep running after the HTTP client goes away or the server's own deadline passes.
// Fix: the RPC deadline is derived from the request context: context.WithDeadline(r.Context(), getRPCDeadlineTime(a.context)).
// Rule: sharedeadline
package ct

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"time"
)

const (
	// HTTP content type header
	contentTypeHeader string = "Content-Type"
	// MIME content type for JSON
	contentTypeJSON string = "application/json"
)

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
		log.Printf("%s: %s wrong HTTP method: %v", a.context.logPrefix, a.name, r.Method)
		sendHTTPError(w, http.StatusMethodNotAllowed, fmt.Errorf("method not allowed: %s", r.Method))
		return
	}

	// For GET requests all params come as form encoded so we might as well parse them now.
	// POSTs will decode the raw request body as JSON later.
	if r.Method == http.MethodGet {
		if err := r.ParseForm(); err != nil {
			sendHTTPError(w, http.StatusBadRequest, fmt.Errorf("failed to parse form data: %v", err))
			return
		}
	}

	// Many/most of the handlers forward the request on to the Log RPC server; impose a deadline
	// on this onward request.
	ctx, cancel := context.WithDeadline(context.TODO(), getRPCDeadlineTime(a.context))
	defer cancel()

	status, err := a.handler(ctx, a.context, w, r)
	if err != nil {
		log.Printf("%s: %s handler error: %v", a.context.logPrefix, a.name, err)
		sendHTTPError(w, status, err)
		return
	}

	// Additional check, for consistency the handler must return an error for non-200 status
	if status != http.StatusOK {
		log.Printf("%s: %s handler non 200 without error: %d %v", a.context.logPrefix, a.name, status, err)
		sendHTTPError(w, http.StatusInternalServerError, fmt.Errorf("http handler misbehaved, status: %d", status))
		return
	}
}

// TimeSource stands in for util.TimeSource.
type TimeSource interface {
	Now() time.Time
}

// SystemTimeSource uses the system clock.
type SystemTimeSource struct{}

func (SystemTimeSource) Now() time.Time { return time.Now() }

// LogContext holds information for a specific log instance.
type LogContext struct {
	// logID is the tree ID that identifies this log in node storage
	logID int64
	// logPrefix is a pre-formatted string identifying the log for diagnostics.
	logPrefix string
	// rpcClient is the client used to communicate with the trillian backend
	rpcClient TrillianLogClient
	// rpcDeadline is the deadline that will be set on all backend RPC requests
	rpcDeadline time.Duration
	// timeSource is a util.TimeSource that can be injected for testing
	timeSource TimeSource
}

// NewLogContext creates a new instance of LogContext.
func NewLogContext(logID int64, rpcClient TrillianLogClient, rpcDeadline time.Duration, timeSource TimeSource) *LogContext {
	return &LogContext{
		logID:       logID,
		logPrefix:   fmt.Sprintf("{%d}", logID),
		rpcClient:   rpcClient,
		rpcDeadline: rpcDeadline,
		timeSource:  timeSource}
}

// GetSTHResponse stands in for ct.GetSTHResponse.
type GetSTHResponse struct {
	TreeSize       uint64 `json:"tree_size"`
	Timestamp      uint64 `json:"timestamp"`
	SHA256RootHash []byte `json:"sha256_root_hash"`
}

func getSTH(ctx context.Context, c LogContext, w http.ResponseWriter, r *http.Request) (int, error) {
	// Forward on to the Log server.
	req := GetLatestSignedLogRootRequest{LogId: c.logID}
	rsp, err := c.rpcClient.GetLatestSignedLogRoot(ctx, &req)
	if err != nil {
		return http.StatusInternalServerError, fmt.Errorf("backend GetLatestSignedLogRoot request failed: %v", err)
	}

	// Check over the response.
	slr := rsp.SignedLogRoot
	if slr == nil {
		return http.StatusInternalServerError, fmt.Errorf("no log root returned")
	}
	if treeSize := slr.TreeSize; treeSize < 0 {
		return http.StatusInternalServerError, fmt.Errorf("bad tree size from backend: %d", treeSize)
	}

	jsonRsp := GetSTHResponse{
		TreeSize:       uint64(slr.TreeSize),
		SHA256RootHash: slr.RootHash,
		Timestamp:      uint64(slr.TimestampNanos / 1000 / 1000),
	}

	w.Header().Set(contentTypeHeader, contentTypeJSON)
	jsonData, err := json.Marshal(&jsonRsp)
	if err != nil {
		return http.StatusInternalServerError, fmt.Errorf("failed to marshal response: %v %v", jsonRsp, err)
	}

	_, err = w.Write(jsonData)
	if err != nil {
		// Probably too late for this as headers might have been written but we don't know for sure
		return http.StatusInternalServerError, fmt.Errorf("failed to write response data: %v", err)
	}

	return http.StatusOK, nil
}

// RegisterHandlers registers the handlers for this log context.
func (c LogContext) RegisterHandlers(mux *http.ServeMux) {
	mux.Handle("/ct/v1/get-sth", appHandler{context: c, handler: getSTH, name: "GetSTH", method: http.MethodGet})
}

func sendHTTPError(w http.ResponseWriter, statusCode int, err error) {
	http.Error(w, fmt.Sprintf("%s\n%v", http.StatusText(statusCode), err), statusCode)
}

func getRPCDeadlineTime(c LogContext) time.Time {
	return c.timeSource.Now().Add(c.rpcDeadline)
}
