package a

import (
	"context"
	"database/sql"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"
)

func serve(ctx context.Context, srv *http.Server) error {
	go srv.ListenAndServe()
	<-ctx.Done()
	return srv.Shutdown(ctx) // want `\(\*http.Server\).Shutdown runs after ctx is done and is given that context, so it fails at once instead of cleaning up: give it context.WithTimeout\(context.WithoutCancel\(ctx\), d\)`
}

func serveDerived(ctx context.Context, srv *http.Server) error {
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return srv.Shutdown(sctx) // want `runs after ctx is done and is given that context \(derived from it, so done too\)`
}

func serveSelect(ctx context.Context, srv *http.Server, errc chan error) error {
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		return srv.Shutdown(ctx) // want `\(\*http.Server\).Shutdown runs after ctx is done`
	}
}

func closeConn(ctx context.Context, conn *pgx.Conn) {
	<-ctx.Done()
	conn.Close(ctx) // want `\(\*pgx.Conn\).Close runs after ctx is done`
}

func deferredShutdown(ctx context.Context, srv *http.Server) {
	defer srv.Shutdown(ctx) // want `deferred \(\*http.Server\).Shutdown gets ctx, and the function returns once ctx is done: the cleanup then fails at once`
	go srv.ListenAndServe()
	<-ctx.Done()
}

// --- exemptions ---

func detached(ctx context.Context, srv *http.Server) error {
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}

func fresh(ctx context.Context, srv *http.Server) error {
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}

func otherCase(ctx context.Context, srv *http.Server, errc chan error) error {
	select {
	case <-errc:
		return srv.Shutdown(ctx) // ctx is not known to be done here
	case <-ctx.Done():
		return ctx.Err()
	}
}

func deferredRollback(ctx context.Context, conn *pgx.Conn) error {
	tx, err := conn.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx) // pgx's documented idiom
	return tx.Commit(ctx)
}

func notDoneYet(ctx context.Context, srv *http.Server) error {
	return srv.Shutdown(ctx)
}

// The function's own context, deferred, where nothing says it is done:
// when the function returns because ctx is done, the shutdown gets no time.
func deferredOwn(ctx context.Context, srv *http.Server, work func(context.Context) error) error {
	defer srv.Shutdown(ctx) // want `deferred \(\*http.Server\).Shutdown gets the function's own context: when the function returns because ctx is done, the cleanup gets no time`
	return work(ctx)
}

// --- any wait given a done context fails at once ---

type shim struct{ hc *http.Client }

func (s *shim) Signal(ctx context.Context, pid, sig int) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://shim/signal", nil)
	if err != nil {
		return err
	}
	resp, err := s.hc.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

func execStart(ctx context.Context, s *shim, done chan error) error {
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		s.Signal(ctx, 1, 9) // want `\(\*a.shim\).Signal runs after ctx is done and is given that context, so it fails at once instead of doing its work`
		return ctx.Err()
	}
}

func execStartFixed(ctx context.Context, s *shim, done chan error) error {
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		kctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		s.Signal(kctx, 1, 9)
		return ctx.Err()
	}
}

// A function literal that captured ctx, called once ctx is done.
func unpack(ctx context.Context, db *sql.DB, results chan error) error {
	abort := func() {
		db.ExecContext(ctx, "DELETE FROM snapshots WHERE key = 'extract'")
	}
	select {
	case err := <-results:
		if err != nil {
			abort()
		}
		return err
	case <-ctx.Done():
		abort() // want `\(\*sql.DB\).ExecContext \(in the func literal in a.unpack\) runs after ctx is done`
		return ctx.Err()
	}
}

// --- a deferred cleanup that shares the work's timeout ---

type tx struct{ db *sql.DB }

func (t *tx) Rollback(ctx context.Context) error {
	_, err := t.db.ExecContext(ctx, "ROLLBACK")
	return err
}

func runOnce(ctx context.Context, db *sql.DB, schedule func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	t := &tx{db: db}
	defer t.Rollback(ctx) // want `deferred \(\*a.tx\).Rollback shares the timeout this function set for its work: when the work runs out of time, the call gets none and fails`
	return schedule(ctx)
}

func runOnceFixed(ctx context.Context, db *sql.DB, schedule func(context.Context) error) error {
	wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	t := &tx{db: db}
	defer func() {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		t.Rollback(rctx)
	}()
	return schedule(wctx)
}

// pgx: a cancelled rollback closes the connection, which rolls back too.
func pgxWithTimeout(ctx context.Context, conn *pgx.Conn) error {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	tx, err := conn.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	return tx.Commit(ctx)
}

// --- deferred waits given the function's own context ---

// A deferred removal of a temporary resource (containerd's CreateDiff):
// when ctx is cancelled mid-work, the removal fails at once and leaks.
func createView(ctx context.Context, db *sql.DB, compare func(context.Context) error) error {
	t := &tx{db: db}
	defer t.Rollback(ctx) // want `deferred \(\*a.tx\).Rollback gets the function's own context: when the function returns because ctx is done, the call gets no time`
	return compare(ctx)
}

// Cleanup on the error path (containerd's KillShim): the failure may be
// ctx's cancellation, and the cleanup then gets that cancelled ctx.
func createTask(ctx context.Context, db *sql.DB, create func(context.Context) error) (err error) {
	t := &tx{db: db}
	defer func() { // want `deferred \(\*a.tx\).Rollback \(in the func literal in a.createTask\) gets the function.s own context`
		if err != nil {
			t.Rollback(ctx)
		}
	}()
	return create(ctx)
}

// Fixed: the cleanup keeps ctx's values but not its cancellation.
func createTaskFixed(ctx context.Context, db *sql.DB, create func(context.Context) error) (err error) {
	t := &tx{db: db}
	defer func() {
		if err != nil {
			cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			defer cancel()
			t.Rollback(cctx)
		}
	}()
	return create(ctx)
}

// A context kept by the object, not the function's own: its lifetime is
// the object's, and nothing says this function's return follows it.
type worker struct {
	ctx context.Context
	t   *tx
}

func (w *worker) step(run func() error) error {
	defer w.t.Rollback(w.ctx)
	return run()
}

// go-redis's Tx.Close releases the connection whatever happens to its
// UNWATCH: there is no cleanup a done context can cut short.
func redisTx(ctx context.Context, tx *redis.Tx) error {
	defer tx.Close(ctx)
	_, err := tx.Get(ctx, "k").Result()
	return err
}

// kpt's pod evaluator: the deferred delete goes through an interface whose
// implementation sends on a client with a Timeout. The client's bound does
// not help a context that is already done: the request fails at once and
// the pod is orphaned.
type podDeleter interface {
	Delete(ctx context.Context, name string) error
}

type restPods struct{ hc *http.Client }

func (p *restPods) Delete(ctx context.Context, name string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodDelete, "http://api/pods/"+name, nil)
	if err != nil {
		return err
	}
	resp, err := p.hc.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

func newPods() podDeleter { return &restPods{hc: &http.Client{Timeout: time.Minute}} }

func evaluate(ctx context.Context, pods podDeleter, run func(context.Context) error) error {
	defer func() { // want `deferred a.podDeleter.Delete \(in the func literal in a.evaluate\) gets the function's own context`
		_ = pods.Delete(ctx, "evaluator")
	}()
	return run(ctx)
}

func evaluateFixed(ctx context.Context, pods podDeleter, run func(context.Context) error) error {
	defer func() {
		_ = pods.Delete(context.WithoutCancel(ctx), "evaluator")
	}()
	return run(ctx)
}
