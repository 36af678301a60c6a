// Recall case sd-cortex-readinesstcp
// Source: github.com/cortexlabs/cortex commit 83eb9f65fd9797e9283b8a76b66db10c749a3c4c (cmd/proxy/main.go)
// Link: https://github.com/cortexlabs/cortex/commit/83eb9f65fd9797e9283b8a76b66db10c749a3c4c
// Bug: the /healthz readiness handler probes the user container with net.DialTimeout and a hard-coded 1s budget, ignoring the incoming request's context (its cancellation and deadline).
// Fix: the probe dials with net.Dialer.DialContext(r.Context(), ...), deriving its budget from the caller's request context.
// Rule: sharedeadline
package proxy

import (
	"fmt"
	"log"
	"net"
	"net/http"
	"strconv"
	"time"
)

// NewAdminHandler wires the admin endpoints of the proxy.
func NewAdminHandler(userContainerPort int, logger *log.Logger) http.Handler {
	adminHandler := http.NewServeMux()
	adminHandler.Handle("/healthz", readinessTCPHandler(userContainerPort, logger))
	return adminHandler
}

func readinessTCPHandler(port int, logger *log.Logger) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		timeout := time.Duration(1) * time.Second
		address := net.JoinHostPort("localhost", strconv.FormatInt(int64(port), 10))

		conn, err := net.DialTimeout("tcp", address, timeout)
		if err != nil {
			logger.Print(fmt.Errorf("TCP probe to user-provided container port failed: %w", err))
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = w.Write([]byte("unhealthy"))
			return
		}
		_ = conn.Close()

		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte("healthy"))
	}
}
