// Package detached holds work that must outlive, or run after, the caller's
// context: a fresh budget there is deliberate and not reported.
package detached

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"os"
	"os/signal"
	"time"
)

type Locker interface {
	Unlock(ctx context.Context, name string) error
}

// A goroutine launched from a handler outlives the request by design.
func handler(db *sql.DB) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		go func() {
			bg, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			db.ExecContext(bg, "REFRESH MATERIALIZED VIEW stats")
		}()
		w.WriteHeader(http.StatusAccepted)
	}
}

// Cleanup in a deferred function must run even when ctx is cancelled.
func deferredCleanup(ctx context.Context, l Locker) error {
	defer func() {
		cctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		l.Unlock(cctx, "job")
	}()
	return ctx.Err()
}

// context.WithoutCancel keeps the values, drops the cancellation, and gets its
// own budget.
func withoutCancel(ctx context.Context, db *sql.DB) {
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	db.ExecContext(cctx, "INSERT INTO audit VALUES (1)")
}

// Shutdown after the serve context is done.
func serve(ctx context.Context, srv *http.Server) error {
	go srv.ListenAndServe()
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}

func serveSelect(ctx context.Context, srv *http.Server, errc <-chan error) error {
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return srv.Shutdown(sctx)
	}
}

// Cleanup once the caller's context has ended.
func afterErr(ctx context.Context, l Locker) error {
	if ctx.Err() != nil {
		cctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		return l.Unlock(cctx, "job")
	}
	return nil
}

func afterCanceled(ctx context.Context, db *sql.DB, err error) error {
	if errors.Is(err, context.Canceled) {
		cctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		db.ExecContext(cctx, "UPDATE jobs SET state = 'cancelled'")
	}
	return err
}

// A context made for a cleanup call (Shutdown, Close, Unlock, Rollback, …)
// must survive the caller's cancellation.
func stop(ctx context.Context, srv *http.Server) error {
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}

func release(ctx context.Context, l Locker) error {
	cctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	return l.Unlock(context.WithValue(cctx, key{}, 1), "job")
}

type key struct{}

// A context kept in a field lives as long as the object, not the call.
type Session struct {
	ctx    context.Context
	cancel context.CancelFunc
}

func Open(ctx context.Context) *Session {
	s := &Session{}
	s.ctx, s.cancel = context.WithTimeout(context.Background(), time.Hour)
	return s
}

// Handed to a go statement or sent to a worker: detached on purpose.
func renewInBackground(ctx context.Context, renew func(context.Context, context.CancelFunc)) {
	bg, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	go renew(bg, cancel)
}

func enqueue(ctx context.Context, work chan<- context.Context) {
	bg, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	_ = cancel
	work <- bg
}

// Registered to run when ctx is done.
func onCancel(ctx context.Context, l Locker) {
	context.AfterFunc(ctx, func() {
		cctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		l.Unlock(cctx, "job")
	})
}

// Background jobs started from main: there is no caller's context.
func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	go nightly()
	<-ctx.Done()
}

func nightly() {
	for range time.Tick(24 * time.Hour) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
		_ = ctx
		cancel()
	}
}

// A job handed to a runner that owns it (errgroup.Go, pool.Submit, …).
func submit(ctx context.Context, pool interface{ Submit(func()) }, db *sql.DB) {
	pool.Submit(func() {
		bg, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		db.ExecContext(bg, "VACUUM")
	})
}

// forwarder keeps the cancel of the forwarding it starts: the work lives as
// long as the object, whatever the context of the call that set it up
// (cli's codespaces invoker and its cancelPF).
type forwarder struct {
	results  chan error
	cancelFw context.CancelFunc
}

// forward waits for the tunnel's answer or ctx (a wait ctx governs).
func (f *forwarder) forward(ctx context.Context) error {
	select {
	case err := <-f.results:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (f *forwarder) connect(ctx context.Context) error {
	fwdCtx, cancel := context.WithCancel(context.Background())
	f.cancelFw = cancel
	errc := make(chan error, 1)
	go func() { errc <- f.forward(fwdCtx) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Kept through a context derived from the root, too.
func (f *forwarder) connectDerived(ctx context.Context) error {
	base, cancelBase := context.WithCancel(context.Background())
	defer cancelBase()
	fwdCtx, cancel := context.WithCancel(base)
	f.cancelFw = cancel
	return f.forward(fwdCtx)
}
