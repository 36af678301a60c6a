package a

import (
	"context"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5"
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
	defer srv.Shutdown(ctx) // want `deferred \(\*http.Server\).Shutdown gets the function's own context: when the function returns because ctx is done, the shutdown gets no time`
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
