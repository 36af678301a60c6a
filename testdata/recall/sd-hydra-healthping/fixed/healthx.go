// Recall case sd-hydra-healthping
// Source: github.com/ory/hydra commit fa217119494e56b043810cd5ba8e8e230a24ea94 (driver/registry_sql.go, persistence/sql/persister.go)
// Link: https://github.com/ory/hydra/commit/fa217119494e56b043810cd5ba8e8e230a24ea94
// Bug: the /health/ready "database" checker ignores its *http.Request and calls RegistrySQL.Ping -> Persister.Ping -> Store.(pinger).Ping(), i.e. sql.DB.Ping with a fresh context.Background(), so the probe request's cancellation/deadline never reaches the DB ping.
// Fix: add RegistrySQL.PingContext(ctx) / Persister.Ping(ctx) using SQLDB().PingContext(ctx) and call it with r.Context() from the checker.
// Rule: sharedeadline
package driver

import (
	"encoding/json"
	"net/http"
)

// ---- stand-in for ory/x/healthx ----

// ReadyChecker should return an error if the component is not ready yet.
type ReadyChecker func(r *http.Request) error

// ReadyCheckers is a map of ReadyCheckers.
type ReadyCheckers map[string]ReadyChecker

// Handler handles HTTP requests to health and version endpoints.
type Handler struct {
	ReadyChecks ReadyCheckers
}

// NewHandler instantiates a handler.
func NewHandler(readyChecks ReadyCheckers) *Handler {
	return &Handler{ReadyChecks: readyChecks}
}

type swaggerNotReadyStatus struct {
	Errors map[string]string `json:"errors"`
}

// Ready runs every ready checker with the incoming request.
func (h *Handler) Ready(rw http.ResponseWriter, r *http.Request) {
	notReady := swaggerNotReadyStatus{Errors: map[string]string{}}
	for n, c := range h.ReadyChecks {
		if err := c(r); err != nil {
			notReady.Errors[n] = err.Error()
		}
	}

	rw.Header().Set("Content-Type", "application/json")
	if len(notReady.Errors) > 0 {
		rw.WriteHeader(http.StatusServiceUnavailable)
		_ = json.NewEncoder(rw).Encode(notReady)
		return
	}
	_ = json.NewEncoder(rw).Encode(map[string]string{"status": "ok"})
}
