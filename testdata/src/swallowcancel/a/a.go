package a

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"time"
)

func work(ctx context.Context) error { return ctx.Err() }

func absorbed(ctx context.Context) error {
	err := work(ctx)
	if errors.Is(err, context.Canceled) {
		return nil // want `returning nil when err is context.Canceled tells the caller the work succeeded when it was abandoned: return err so the cancellation propagates`
	}
	return err
}

func absorbedEq(ctx context.Context) (int, error) {
	err := work(ctx)
	if err == context.DeadlineExceeded {
		log.Print("timed out")
		return 0, nil // want `returning nil when err is context.DeadlineExceeded`
	}
	return 1, err
}

func absorbedEither(ctx context.Context) error {
	if err := work(ctx); errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return nil // want `when err is a context cancellation`
	}
	return nil
}

func absorbedSwitch(ctx context.Context) error {
	err := work(ctx)
	switch {
	case errors.Is(err, context.Canceled):
		return nil // want `returning nil when err is context.Canceled`
	case err != nil:
		return err
	}
	switch err {
	case context.DeadlineExceeded:
		return nil // want `returning nil when err is context.DeadlineExceeded`
	}
	return nil
}

func retry(ctx context.Context) error {
	for i := 0; i < 3; i++ {
		err := work(ctx)
		if errors.Is(err, context.DeadlineExceeded) {
			continue // want `continuing after err is context.DeadlineExceeded retries work the caller gave up on, past its deadline: return err instead`
		}
		return err
	}
	return nil
}

func breakOut(ctx context.Context, jobs []string) error {
	for range jobs {
		if err := work(ctx); errors.Is(err, context.Canceled) {
			break // want `breaking out of the loop when err is context.Canceled ends in return nil`
		}
	}
	return nil
}

func doneCase(ctx context.Context, results chan string) (string, error) {
	select {
	case r := <-results:
		return r, nil
	case <-ctx.Done():
		return "", nil // want `returning nil when ctx is done tells the caller the work finished when it was abandoned: return ctx.Err\(\)`
	}
}

func errCheck(ctx context.Context, items []string) error {
	for range items {
		if ctx.Err() != nil {
			return nil // want `returning nil when ctx is done`
		}
	}
	return nil
}

func replaced(ctx context.Context, db *sql.DB) error {
	_, err := db.ExecContext(ctx, "DELETE FROM t")
	if err != nil {
		return fmt.Errorf("delete: %v", err) // want `%v formats err, which may be a context cancellation \(from \(\*sql.DB\).ExecContext\), without wrapping it: errors.Is\(err, context.Canceled\) is false upstream; use %w`
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("after delete (%d rows): %s", 3, err) // want `%s formats err, which may be a context cancellation \(from ctx.Err\(\)\)`
	}
	return nil
}

func inClosure(ctx context.Context) func() error {
	return func() error {
		if err := work(ctx); errors.Is(err, context.Canceled) {
			return nil // want `returning nil when err is context.Canceled`
		}
		return nil
	}
}

// --- exemptions ---

func propagates(ctx context.Context) error {
	if err := work(ctx); errors.Is(err, context.Canceled) {
		log.Print("cancelled")
		return err
	}
	return nil
}

func owns(parent context.Context) error {
	ctx, cancel := context.WithTimeout(parent, time.Second)
	defer cancel()
	if err := work(ctx); errors.Is(err, context.DeadlineExceeded) {
		return nil // our own budget ran out: the function decides
	}
	return nil
}

func shutdownIdiom(srv *http.Server) error {
	if err := srv.ListenAndServe(); errors.Is(err, http.ErrServerClosed) || errors.Is(err, context.Canceled) {
		return nil
	}
	return nil
}

func streamEnd(ctx context.Context, r io.Reader) error {
	_, err := r.Read(nil)
	if err == io.EOF || errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

func noErrorResult(ctx context.Context) {
	if err := work(ctx); errors.Is(err, context.Canceled) {
		return
	}
}

func serviceLoop(ctx context.Context, jobs chan func()) error {
	for {
		select {
		case <-ctx.Done():
			return nil // a service told to stop
		case j := <-jobs:
			j()
		}
	}
}

func wrapped(ctx context.Context, db *sql.DB) error {
	if _, err := db.ExecContext(ctx, "DELETE FROM t"); err != nil {
		return fmt.Errorf("delete: %w", err)
	}
	return nil
}

func notFromContext(path string) error {
	_, err := io.ReadAll(nil)
	return fmt.Errorf("read %s: %v", path, err)
}

func notDoneContext(ctx context.Context, other context.Context) error {
	local := context.Background()
	select {
	case <-local.Done():
		return nil
	default:
	}
	return nil
}

func request(ctx context.Context, url string) error {
	_, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("making request: %v", err) // building a request never waits: not a cancellation
	}
	return nil
}

func proxy(w http.ResponseWriter, r *http.Request) (bool, error) {
	if err := work(r.Context()); errors.Is(err, context.Canceled) {
		w.WriteHeader(499) // the client went away: the server's decision
		return true, nil
	}
	return false, nil
}

func reused(ctx context.Context, db *sql.DB, parse func() error) error {
	if _, err := db.ExecContext(ctx, "DELETE FROM t"); err != nil {
		return err
	}
	err := parse()
	if err != nil {
		return fmt.Errorf("parse: %v", err) // the last assignment is not from a context call
	}
	_, err = db.ExecContext(ctx, "DELETE FROM u")
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if err != nil {
		return fmt.Errorf("delete u: %v", err) // ctx was checked in between: not a cancellation
	}
	return nil
}

// ForwardPort forwards until ctx is done: a clean stop returns nil.
func ForwardPort(ctx context.Context, errc chan error) error {
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		return nil
	}
}

func notACatalogCall(ctx context.Context) error {
	if err := work(ctx); err != nil {
		return fmt.Errorf("work: %v", err) // only with -swallowcancel.wrap-all
	}
	return nil
}

func contextFree(db *sql.DB) error {
	if _, err := db.Exec("DELETE FROM t"); err != nil {
		return fmt.Errorf("delete: %v", err) // db.Exec has no context: never a cancellation
	}
	return nil
}

func backgroundRequest(url string) error {
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if _, err := http.DefaultClient.Do(req); err != nil {
		return fmt.Errorf("get: %v", err) // the request is bound to Background: never cancelled
	}
	return nil
}

func requestWithContext(ctx context.Context, url string) error {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if _, err := http.DefaultClient.Do(req); err != nil {
		return fmt.Errorf("get: %v", err) // want `%v formats err, which may be a context cancellation \(from \(\*http.Client\).Do\)`
	}
	return nil
}

func replacedNew(ctx context.Context, db *sql.DB) error {
	if _, err := db.ExecContext(ctx, "DELETE FROM t"); err != nil {
		return errors.New("delete failed") // want `errors.New replaces err, which may be a context cancellation \(from \(\*sql.DB\).ExecContext\), with an error that does not wrap it`
	}
	return nil
}

func replacedKeepsErr(ctx context.Context, db *sql.DB) error {
	if _, err := db.ExecContext(ctx, "DELETE FROM t"); err != nil {
		return fmt.Errorf("delete: %w", err)
	}
	return nil
}

func fanOut(ctx context.Context, db *sql.DB, errc chan error) {
	go func() {
		if _, err := db.ExecContext(ctx, "DELETE FROM t"); err != nil {
			errc <- err
			return
		}
		_, _ = db.ExecContext(ctx, "DELETE FROM u") // want `the goroutine drops an error that may be a context cancellation \(from \(\*sql.DB\).ExecContext\) although it reports its other errors`
	}()
}

func fireAndForget(ctx context.Context, db *sql.DB) {
	go func() {
		_, _ = db.ExecContext(ctx, "DELETE FROM t") // reports no error at all: fire and forget, by design
	}()
}
