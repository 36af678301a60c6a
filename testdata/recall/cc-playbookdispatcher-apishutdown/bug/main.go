// Recall case cc-playbookdispatcher-apishutdown
// Source: github.com/RedHatInsights/playbook-dispatcher commit 6729aa2ff2e207ca32ce0cc5c290ba8d19d47ac3 (internal/api/main.go, internal/common/utils/misc.go)
// Link: https://github.com/RedHatInsights/playbook-dispatcher/commit/6729aa2ff2e207ca32ce0cc5c290ba8d19d47ac3
// Bug: After <-ctx.Done() the shutdown goroutine passes the already-cancelled ctx to utils.StopServer, so server.Shutdown(ctx) returns immediately with context.Canceled instead of draining requests (and the error is fatal).
// Fix: Shutdown now uses a fresh context.WithTimeout(SetLog(context.Background(), log), apiShutdownTimeout) and StopServer logs the error instead of exiting.
// Rule: cleanupctx
package api

import (
	"context"
	"database/sql"
	"fmt"
	"log"
	"net/http"
	"sync"
)

type logKey struct{}

// SetLog stores the logger in the context (stand-in for utils.SetLog).
func SetLog(ctx context.Context, l *log.Logger) context.Context {
	return context.WithValue(ctx, logKey{}, l)
}

// GetLogFromContext returns the logger stored in ctx (stand-in for utils.GetLogFromContext).
func GetLogFromContext(ctx context.Context) *log.Logger {
	if l, ok := ctx.Value(logKey{}).(*log.Logger); ok {
		return l
	}
	return log.Default()
}

// StopServer is utils.StopServer; echo.Echo.Shutdown wraps http.Server.Shutdown.
func StopServer(ctx context.Context, server *http.Server) {
	if e := server.Shutdown(ctx); e != nil {
		GetLogFromContext(ctx).Fatal(e)
	}
}

func Start(
	ctx context.Context,
	port int,
	db *sql.DB,
	errors chan<- error,
	wg *sync.WaitGroup,
) {
	log := GetLogFromContext(ctx)

	server := &http.Server{
		Addr: fmt.Sprintf("0.0.0.0:%d", port),
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if err := db.PingContext(r.Context()); err != nil {
				http.Error(w, err.Error(), http.StatusServiceUnavailable)
				return
			}
			w.WriteHeader(http.StatusOK)
		}),
	}

	wg.Add(1)
	go func() {
		errors <- server.ListenAndServe()
	}()

	go func() {
		defer wg.Done()
		defer log.Println("API stopped")
		<-ctx.Done()

		log.Println("Shutting down API")
		StopServer(ctx, server)
		db.Close()
	}()
}
