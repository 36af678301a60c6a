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

// work returns ctx.Err(): its summary says its error carries ctx's
// cancellation, so formatting it with %v hides one.
func notACatalogCall(ctx context.Context) error {
	if err := work(ctx); err != nil {
		return fmt.Errorf("work: %v", err) // want `%v formats err, which may be a context cancellation \(from a.work\)`
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

// --- retry-on-cancel ---

func fetch(ctx context.Context, db *sql.DB) error {
	_, err := db.ExecContext(ctx, "SELECT 1")
	return err
}

func retryContinue(ctx context.Context, db *sql.DB) error {
	for {
		err := fetch(ctx, db)
		if err != nil {
			log.Print(err)
			continue // want `retrying after err, which may be a context cancellation \(from a.fetch, which passes ctx to \(\*sql.DB\).ExecContext\), without checking the context: once it is done every attempt fails at once and the loop never ends; return when ctx.Err\(\) != nil`
		}
		return nil
	}
}

func retrySleep(ctx context.Context, db *sql.DB) error {
	for {
		if _, err := db.ExecContext(ctx, "SELECT 1"); err != nil {
			log.Print(err)
			time.Sleep(time.Second) // want `retrying after err, which may be a context cancellation \(from \(\*sql.DB\).ExecContext\)`
		} else {
			return nil
		}
	}
}

func retryUntilSuccess(ctx context.Context, db *sql.DB) (int, error) {
	for {
		_, err := db.ExecContext(ctx, "SELECT 1")
		if err == nil {
			return 1, nil
		}
		time.Sleep(time.Second) // want `retrying after err`
	}
}

func retryChecksContext(ctx context.Context, db *sql.DB) error {
	for {
		err := fetch(ctx, db)
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Second):
		}
	}
}

func retryBounded(ctx context.Context, db *sql.DB) error {
	var err error
	for i := 0; i < 3; i++ {
		if err = fetch(ctx, db); err == nil {
			return nil
		}
		time.Sleep(time.Second) // a bounded loop ends on its own
	}
	return err
}

func retryGivesUp(ctx context.Context, db *sql.DB) error {
	attempts := 0
	for {
		err := fetch(ctx, db)
		if err != nil {
			attempts++
			if attempts > 5 {
				return err // the loop can end on a failure
			}
			continue
		}
		return nil
	}
}

func retryBreaks(ctx context.Context, db *sql.DB, retryable func(error) bool) error {
	var err error
	for {
		err = fetch(ctx, db)
		if err == nil {
			break
		}
		if !retryable(err) {
			break // leaves on a failure: the caller gets err
		}
		time.Sleep(time.Second)
	}
	return err
}

func retryNotAContextCall(parse func() error) error {
	for {
		if err := parse(); err != nil {
			continue // parse takes no context: never a cancellation
		}
		return nil
	}
}

func skipItems(ctx context.Context, db *sql.DB, items []string) error {
	for _, it := range items {
		if _, err := db.ExecContext(ctx, it); err != nil {
			continue // skips to the next item: not a retry of the same work
		}
	}
	return nil
}

// --- waiting for cancellation, then reporting success ---

// waitReady returns only an error and ends by waiting for ctx: the wait is
// over, and nil is its clean end (as for RunUntilDone below: the name does
// not matter).
func waitReady(ctx context.Context, ready chan struct{}) error {
	close(ready)
	<-ctx.Done()
	return nil
}

// checkThenSucceed checks the context mid-work and claims success.
func checkThenSucceed(ctx context.Context, items []string) (int, error) {
	n := 0
	for range items {
		select {
		case <-ctx.Done():
			return n, nil // want `returning nil when ctx is done tells the caller the work finished when it was abandoned: return ctx.Err\(\)`
		default:
		}
		n++
	}
	return n, nil
}

// RunUntilDone is a service: it runs until told to stop.
func RunUntilDone(ctx context.Context) error {
	<-ctx.Done()
	return nil
}

func causeKnown(ctx context.Context, results chan string) (string, error) {
	select {
	case r := <-results:
		return r, nil
	case <-ctx.Done():
		log.Print(context.Cause(ctx))
		return "", nil // want `returning nil when ctx is done tells the caller the work finished when it was abandoned: return context.Cause\(ctx\)`
	}
}

func causeTested(ctx context.Context) error {
	if context.Cause(ctx) != nil {
		return nil // want `return context.Cause\(ctx\)`
	}
	return nil
}

func ctxErrVar(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return nil // want `returning nil when ctx is done \(err = ctx.Err\(\)\) tells the caller the work finished when it was abandoned: return err`
	}
	return nil
}

// --- the cancellation replaced ---

func replacedErrorString(ctx context.Context, db *sql.DB) error {
	if _, err := db.ExecContext(ctx, "DELETE FROM t"); err != nil {
		return fmt.Errorf("delete: %s", err.Error()) // want `%s formats err.Error\(\), which may be a context cancellation \(from \(\*sql.DB\).ExecContext\), without wrapping it`
	}
	return nil
}

func replacedNewOfString(ctx context.Context, db *sql.DB) error {
	if _, err := db.ExecContext(ctx, "DELETE FROM t"); err != nil {
		return errors.New("delete: " + err.Error()) // want `errors.New replaces err, which may be a context cancellation`
	}
	return nil
}

type queryError struct{ msg string }

func (e *queryError) Error() string { return e.msg }

type wrappingError struct{ err error }

func (e *wrappingError) Error() string { return e.err.Error() }
func (e *wrappingError) Unwrap() error { return e.err }

func replacedCustom(ctx context.Context, db *sql.DB) error {
	if _, err := db.ExecContext(ctx, "DELETE FROM t"); err != nil {
		return &queryError{msg: err.Error()} // want `a \*a.queryError literal replaces err, which may be a context cancellation \(from \(\*sql.DB\).ExecContext\), with an error errors.Is cannot see through \(no Unwrap method\)`
	}
	return nil
}

func wrappedCustom(ctx context.Context, db *sql.DB) error {
	if _, err := db.ExecContext(ctx, "DELETE FROM t"); err != nil {
		return &wrappingError{err: err} // has Unwrap: errors.Is sees through it
	}
	return nil
}

func replacedOnCancel(ctx context.Context) error {
	if err := work(ctx); errors.Is(err, context.Canceled) {
		return errors.New("stopped") // want `errors.New replaces err, which is context.Canceled, with an error that does not wrap it`
	}
	return nil
}

func logsAndReturns(ctx context.Context, db *sql.DB) error {
	if _, err := db.ExecContext(ctx, "DELETE FROM t"); err != nil {
		log.Printf("delete: %v", err)
		log.Print(fmt.Errorf("delete: %v", err)) // handed to a logger: the original is returned
		return err
	}
	return nil
}

func collected(ctx context.Context, db *sql.DB) error {
	var errs []error
	if _, err := db.ExecContext(ctx, "DELETE FROM t"); err != nil {
		errs = append(errs, fmt.Errorf("delete: %v", err)) // want `%v formats err`
	}
	return errors.Join(errs...)
}

// --- dropped by a goroutine or callback ---

func droppedIgnored(ctx context.Context, db *sql.DB, errc chan error) {
	go func() {
		if err := fetch(ctx, db); err != nil {
			errc <- err
			return
		}
		db.ExecContext(ctx, "DELETE FROM u") // want `the goroutine drops an error that may be a context cancellation \(from \(\*sql.DB\).ExecContext\)`
		errc <- nil
	}()
}

func droppedByCallback(ctx context.Context, db *sql.DB, each func(func())) error {
	var firstErr error
	each(func() {
		if err := fetch(ctx, db); err != nil && firstErr == nil {
			firstErr = err
		}
		_ = fetch(ctx, db) // want `the callback drops an error that may be a context cancellation \(from a.fetch, which passes ctx to \(\*sql.DB\).ExecContext\)`
	})
	return firstErr
}

func deferredCleanup(ctx context.Context, db *sql.DB, errc chan error) {
	go func() {
		defer db.ExecContext(ctx, "UNLOCK") // cleanup, not the only path back
		errc <- fetch(ctx, db)
	}()
}

// --- shutdown paths ---

func (s *server) Shutdown(ctx context.Context) error {
	select {
	case <-s.done:
	case <-ctx.Done():
		return nil // giving up on a graceful stop is a shutdown path's call
	}
	return nil
}

type server struct {
	srv  *http.Server
	done chan struct{}
}

func (s *server) drain(ctx context.Context) error {
	if err := s.srv.Shutdown(ctx); errors.Is(err, context.DeadlineExceeded) {
		return nil // the grace period ran out: connections are closed anyway
	}
	return nil
}

func (s *server) serveErr() error {
	if err := s.srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %v", err) // no context here: never a cancellation
	}
	return nil
}

func backgroundCall(db *sql.DB) error {
	if _, err := db.ExecContext(context.Background(), "DELETE FROM t"); err != nil {
		return fmt.Errorf("delete: %v", err) // Background is never cancelled
	}
	return nil
}

// --- run-until-cancelled bodies and worker loops ---

type worker struct{ db *sql.DB }

func (w *worker) monitor(ctx context.Context) error {
	<-ctx.Done()
	return nil // started with go below: its clean stop
}

func (w *worker) start(ctx context.Context) {
	go w.monitor(ctx)
}

func startsWorkers(ctx context.Context, db *sql.DB) error {
	go fetch(ctx, db)
	<-ctx.Done()
	return nil // starts goroutines and waits: a run-until-cancelled body
}

func drainQueue(ctx context.Context, db *sql.DB, jobs chan string) error {
	for {
		q := <-jobs
		if _, err := db.ExecContext(ctx, q); err != nil {
			log.Print(err)
			continue // a worker loop: the continue skips this job, it does not retry it
		}
	}
}

func pollTicker(ctx context.Context, db *sql.DB, t *time.Ticker) error {
	for {
		<-t.C
		if err := fetch(ctx, db); err != nil {
			log.Print(err)
			continue // want `retrying after err, which may be a context cancellation`
		}
	}
}

// pollIgnoring's test of err changes nothing (both ways go round): the
// compiled form has no branch on it, so it is not judged.
func pollIgnoring(ctx context.Context, db *sql.DB, t *time.Ticker) error {
	for {
		<-t.C
		if err := fetch(ctx, db); err != nil {
			continue
		}
	}
}

// UpdateVisibility starts its work and waits for its result or for ctx:
// returning nil on Done tells the caller the change was made when it was
// abandoned (cli's UpdatePortVisibility).
func UpdateVisibility(ctx context.Context, db *sql.DB) error {
	done := make(chan error)
	go func() {
		if _, err := db.ExecContext(ctx, "UPDATE ports SET visibility = 1"); err != nil {
			done <- err
			return
		}
		done <- nil
	}()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return nil // want `returning nil when ctx is done tells the caller the work finished when it was abandoned: return ctx.Err\(\)`
	}
}

// ForwardToListener runs until ctx is done; its goroutine reports only why
// it stopped (never success): Done is its clean stop (cli's
// ForwardPortToListener).
func ForwardToListener(ctx context.Context, db *sql.DB) error {
	done := make(chan error)
	go func() {
		if _, err := db.ExecContext(ctx, "LISTEN forward"); err != nil {
			done <- fmt.Errorf("forwarding: %w", err)
		}
	}()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return nil
	}
}

// ServeUntilDone hands on why its server stopped: a service, whose Done
// is its clean stop (prometheus's web handler Run).
func ServeUntilDone(ctx context.Context, db *sql.DB) error {
	done := make(chan error, 1)
	go func() {
		_, err := db.ExecContext(ctx, "LISTEN forward")
		done <- err
	}()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return nil
	}
}

// Inside the Done case ctx.Err() is never nil: the final return nil cannot
// run (alertmanager's retry stage).
func retryStage(ctx context.Context, db *sql.DB) error {
	var lastErr error
	record := func() { _ = ctx.Value("attempt") } // ctx captured: loaded anew at each use
	for {
		record()
		select {
		case <-ctx.Done():
			if lastErr == nil {
				lastErr = ctx.Err()
			}
			if lastErr != nil {
				return fmt.Errorf("retry canceled: %w", lastErr)
			}
			return nil
		default:
		}
		if _, err := db.ExecContext(ctx, "SELECT 1"); err == nil {
			return nil
		} else {
			lastErr = err
		}
	}
}

// A context the object keeps is its lifecycle: done means closed, and
// saying so is the answer (kafka-go's Reader).
type reader struct {
	stctx context.Context
	msgs  chan string
}

func (r *reader) Fetch(ctx context.Context) (string, error) {
	select {
	case <-ctx.Done():
		return "", ctx.Err()
	case <-r.stctx.Done():
		return "", io.ErrClosedPipe
	case m := <-r.msgs:
		return m, nil
	}
}
