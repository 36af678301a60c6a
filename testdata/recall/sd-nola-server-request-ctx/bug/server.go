// Recall case sd-nola-server-request-ctx
// Source: github.com/richardartoul/nola commit 4142fc254891b794689a64ac826b5444d3b00dfe (virtual/server.go)
// Link: https://github.com/richardartoul/nola/commit/4142fc254891b794689a64ac826b5444d3b00dfe
// Bug: the invoke and invokeDirect HTTP handlers start a fresh 5s budget with context.WithTimeout(context.Background(), 5*time.Second), ignoring the request's context and the calling node's deadline, so forwarded invocations keep running after the caller gave up (or are cut at 5s even when the caller allows longer).
// Fix: handlers use getContextFromRequest(r), derived from r.Context() plus the caller's remaining timeout sent in the nola-context-timeout header (which InvokeActorRemote now sets from ctx.Deadline()).
// Rule: sharedeadline
package virtual

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

const HttpHeaderTimeout = "nola-context-timeout"

// Environment is the subset of the actor environment used by the server.
type Environment interface {
	InvokeActorStream(ctx context.Context, namespace, actorID, moduleID, operation string, payload []byte) (io.ReadCloser, error)
	InvokeActorDirectStream(ctx context.Context, serverID, namespace, actorID, operation string, payload []byte) (io.ReadCloser, error)
}

type Server struct {
	environment Environment
	server      *http.Server
}

func NewServer(environment Environment) *Server {
	return &Server{environment: environment}
}

func (s *Server) Start(port int) error {
	mux := http.NewServeMux()
	mux.HandleFunc("/api/v1/invoke-actor", s.invoke)
	mux.HandleFunc("/api/v1/invoke-actor-direct", s.invokeDirect)
	s.server = &http.Server{Addr: fmt.Sprintf(":%d", port), Handler: mux}
	return s.server.ListenAndServe()
}

type invokeActorRequest struct {
	Namespace string `json:"namespace"`
	ActorID   string `json:"actor_id"`
	ModuleID  string `json:"module_id"`
	Operation string `json:"operation"`
	Payload   []byte `json:"payload"`
}

type invokeActorDirectRequest struct {
	ServerID  string `json:"server_id"`
	Namespace string `json:"namespace"`
	ActorID   string `json:"actor_id"`
	Operation string `json:"operation"`
	Payload   []byte `json:"payload"`
}

func (s *Server) invoke(w http.ResponseWriter, r *http.Request) {
	jsonBytes, err := io.ReadAll(io.LimitReader(r.Body, 1<<24))
	if err != nil {
		writeStatusCodeForError(w, err)
		return
	}
	var req invokeActorRequest
	if err := json.Unmarshal(jsonBytes, &req); err != nil {
		writeStatusCodeForError(w, err)
		return
	}

	// TODO: This should be configurable, probably in a header with some maximum.
	ctx, cc := context.WithTimeout(context.Background(), 5*time.Second)
	defer cc()
	result, err := s.environment.InvokeActorStream(
		ctx, req.Namespace, req.ActorID, req.ModuleID, req.Operation, req.Payload)
	if err != nil {
		writeStatusCodeForError(w, err)
		return
	}

	copyResultIntoStreamAndCloseResult(w, result)
}

func (s *Server) invokeDirect(w http.ResponseWriter, r *http.Request) {
	jsonBytes, err := io.ReadAll(io.LimitReader(r.Body, 1<<24))
	if err != nil {
		writeStatusCodeForError(w, err)
		return
	}
	var req invokeActorDirectRequest
	if err := json.Unmarshal(jsonBytes, &req); err != nil {
		writeStatusCodeForError(w, err)
		return
	}

	// TODO: This should be configurable, probably in a header with some maximum.
	ctx, cc := context.WithTimeout(context.Background(), 5*time.Second)
	defer cc()

	result, err := s.environment.InvokeActorDirectStream(
		ctx, req.ServerID, req.Namespace, req.ActorID, req.Operation, req.Payload)
	if err != nil {
		writeStatusCodeForError(w, err)
		return
	}

	copyResultIntoStreamAndCloseResult(w, result)
}

func writeStatusCodeForError(w http.ResponseWriter, err error) {
	w.WriteHeader(http.StatusInternalServerError)
	w.Write([]byte(err.Error()))
}

func copyResultIntoStreamAndCloseResult(w http.ResponseWriter, result io.ReadCloser) {
	defer result.Close()
	w.WriteHeader(http.StatusOK)
	io.Copy(w, result)
}

// httpClient is the remote client used by the environment to forward an
// invocation to the server that hosts the actor.
type httpClient struct {
	c *http.Client
}

func (h *httpClient) InvokeActorRemote(
	ctx context.Context,
	address, serverID, namespace, actorID, operation string,
	payload []byte,
) (io.ReadCloser, error) {
	ir := invokeActorDirectRequest{
		ServerID:  serverID,
		Namespace: namespace,
		ActorID:   actorID,
		Operation: operation,
		Payload:   payload,
	}
	marshaled, err := json.Marshal(&ir)
	if err != nil {
		return nil, fmt.Errorf("HTTPClient: InvokeDirect: error marshaling invokeActorDirectRequest: %w", err)
	}

	req, err := http.NewRequestWithContext(
		ctx, "POST",
		fmt.Sprintf("http://%s/api/v1/invoke-actor-direct", address),
		bytes.NewReader(marshaled))
	if err != nil {
		return nil, fmt.Errorf("HTTPClient: InvokeDirect: error constructing request: %w", err)
	}

	resp, err := h.c.Do(req)
	if err != nil {
		return nil, fmt.Errorf("HTTPClient: InvokeDirect: error running request: %w", err)
	}

	if resp.StatusCode != http.StatusOK {
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return nil, fmt.Errorf("HTTPClient: InvokeDirect: error status code: %d, msg: %s", resp.StatusCode, string(body))
	}

	return resp.Body, nil
}

// environment forwards every invocation to the server that owns the actor.
type environment struct {
	client  *httpClient
	address string
}

func (e *environment) InvokeActorStream(ctx context.Context, namespace, actorID, moduleID, operation string, payload []byte) (io.ReadCloser, error) {
	return e.client.InvokeActorRemote(ctx, e.address, "", namespace, actorID, operation, payload)
}

func (e *environment) InvokeActorDirectStream(ctx context.Context, serverID, namespace, actorID, operation string, payload []byte) (io.ReadCloser, error) {
	return e.client.InvokeActorRemote(ctx, e.address, serverID, namespace, actorID, operation, payload)
}
