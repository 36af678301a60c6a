// Recall case uw-alertmanager-reload
// Source: github.com/prometheus/alertmanager commit 119387341915fb737c2ca00a8cee1075e31e58d4 (app/lifecycle.go)
// Link: https://github.com/prometheus/alertmanager/commit/119387341915fb737c2ca00a8cee1075e31e58d4
// Bug: the POST /-/reload handler blocks on "reloadCh <- errc" and "<-errc" without watching req.Context(), so a client disconnect or server shutdown leaves the handler stuck until the reload router serves it (and the unbuffered errc plus "defer close(errc)" can block or panic the reloader).
// Fix: errc is buffered (size 1), the defer close is removed, and both the enqueue and the reply wait select on req.Context().Done().
// Rule: uncancellablewait
package httpserver

import (
	"log/slog"
	"net/http"
)

type coordinator interface {
	Reload() error
}

// App is a reduced alertmanager app.App.
type App struct {
	logger      *slog.Logger
	coordinator coordinator
	reload      <-chan struct{} // opts.Reload
	webReload   chan chan error
	routerQuit  chan struct{}
	routerDone  chan struct{}
	server      *http.Server
}

// New wires the HTTP router to the reload router.
func New(logger *slog.Logger, c coordinator, addr string) *App {
	a := &App{
		logger:      logger,
		coordinator: c,
		webReload:   make(chan chan error),
		routerQuit:  make(chan struct{}),
		routerDone:  make(chan struct{}),
	}
	router := NewRouter()
	Register(router, a.webReload)
	a.server = &http.Server{Addr: addr, Handler: router}
	return a
}

// Start starts the reload router and the HTTP server.
func (a *App) Start() {
	go a.reloadRouter()
	go a.server.ListenAndServe()
}

// reloadRouter forwards reload triggers (HTTP /-/reload and opts.Reload)
// to the config coordinator until routerQuit closes.
func (a *App) reloadRouter() {
	defer close(a.routerDone)
	reloadCh := a.reload
	for {
		select {
		case <-a.routerQuit:
			return
		case _, ok := <-reloadCh:
			if !ok {
				reloadCh = nil
				continue
			}
			if err := a.coordinator.Reload(); err != nil {
				a.logger.Error("configuration reload failed", "err", err)
			}
		// webReload is the request/response trigger from the /-/reload
		// HTTP handler: it sends a reply channel and blocks for the
		// outcome, so we propagate the reload error back over errc.
		case errc := <-a.webReload:
			errc <- a.coordinator.Reload()
		}
	}
}
