// Recall case nd-rekor-requestctx
// Source: github.com/sigstore/rekor commit 89175c2f231bb8c3d15bd63c58c2197f6d52f5f5 (pkg/api/trillian_client.go, pkg/api/api.go, pkg/api/entries.go)
// Link: https://github.com/sigstore/rekor/commit/89175c2f231bb8c3d15bd63c58c2197f6d52f5f5
// Bug: The API builds one TrillianClient at startup holding context.Background() in a struct field; every request handler calls the log server RPC (QueueLeaf) with that stored context, so the outbound call has no deadline and is never cancelled with the HTTP request.
// Fix: Handlers build a TrillianClient per request from params.HTTPRequest.Context(), so the RPC runs on the request context.
// Rule: nodeadline
package api

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
)

type Code int

const (
	OK Code = iota
	Unknown
)

type TrillianClient struct {
	client  TrillianLogClient
	logID   int64
	context context.Context
}

type Response struct {
	status       Code
	err          error
	getAddResult *QueueLeafResponse
}

func (t *TrillianClient) addLeaf(byteValue []byte) *Response {
	leaf := &LogLeaf{
		LeafValue: byteValue,
	}
	rqst := &QueueLeafRequest{
		LogId: t.logID,
		Leaf:  leaf,
	}
	resp, err := t.client.QueueLeaf(t.context, rqst)

	status := OK
	if err != nil {
		status = Unknown
	}
	return &Response{
		status:       status,
		err:          err,
		getAddResult: resp,
	}
}

type API struct {
	logClient TrillianLogClient
	logID     int64
}

func NewAPI(logRPCServer string, tLogID int64) (*API, error) {
	ctx := context.Background()
	logClient, err := dial(ctx, logRPCServer)
	if err != nil {
		return nil, err
	}
	return &API{
		logClient: logClient,
		logID:     tLogID,
	}, nil
}

type ctxKeyRekorAPI int

const rekorAPILookupKey ctxKeyRekorAPI = 0

func AddAPIToContext(ctx context.Context, api *API) context.Context {
	return context.WithValue(ctx, rekorAPILookupKey, api)
}

func NewTrillianClient(ctx context.Context) *TrillianClient {
	api, _ := ctx.Value(rekorAPILookupKey).(*API)
	if api == nil {
		return nil
	}

	return &TrillianClient{
		client:  api.logClient,
		logID:   api.logID,
		context: ctx,
	}
}

func CreateLogEntryHandler(w http.ResponseWriter, httpReq *http.Request) {
	leaf, err := io.ReadAll(httpReq.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}

	tc := NewTrillianClient(httpReq.Context())
	if tc == nil {
		http.Error(w, errors.New("unable to get client from request context").Error(), http.StatusInternalServerError)
		return
	}

	resp := tc.addLeaf(leaf)
	if resp.status != OK {
		http.Error(w, fmt.Errorf("grpc error: %w", resp.err).Error(), http.StatusInternalServerError)
		return
	}

	uuid := hex.EncodeToString(resp.getAddResult.QueuedLeaf.MerkleLeafHash)
	w.Header().Set("Location", fmt.Sprintf("%v/%v", httpReq.URL, uuid))
	w.WriteHeader(http.StatusCreated)
}

func addTrillianAPI(handler http.Handler, logRPCServer string, tLogID int64) http.Handler {
	api, err := NewAPI(logRPCServer, tLogID)
	if err != nil {
		panic(err)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		apiCtx := AddAPIToContext(r.Context(), api)
		handler.ServeHTTP(w, r.WithContext(apiCtx))
	})
}
