// Package patterns holds the shapes real cancellation bugs take, each next
// to its fixed form.
package patterns

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

var ErrTimeout = errors.New("timeout")

// The deadline replaced by a sentinel: upstream cannot tell it timed out.
func readReplaced(ctx context.Context, db *sql.DB) error {
	_, err := db.ExecContext(ctx, "SELECT 1")
	if errors.Is(err, context.DeadlineExceeded) {
		return io.ErrUnexpectedEOF // want `io.ErrUnexpectedEOF replaces err, which is context.DeadlineExceeded, with an error that does not wrap it`
	}
	return err
}

func readWrapped(ctx context.Context, db *sql.DB) error {
	_, err := db.ExecContext(ctx, "SELECT 1")
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%w: %w", ErrTimeout, err)
	}
	return err
}

// Every failure mapped to one sentinel, cancellation included.
func lookupReplaced(ctx context.Context, db *sql.DB) error {
	if _, err := db.ExecContext(ctx, "SELECT 1"); err != nil {
		return ErrTimeout // want `patterns.ErrTimeout replaces err, which may be a context cancellation \(from \(\*sql.DB\).ExecContext\), with an error that does not wrap it`
	}
	return nil
}

// A cancellation invented anew instead of the context's.
func execStart(ctx context.Context, done chan error) error {
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return fmt.Errorf("context cancelled") // want `fmt.Errorf replaces ctx's cancellation when it is done with an error that does not wrap it`
	}
}

func execStartFixed(ctx context.Context, done chan error) error {
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return fmt.Errorf("exec: %w", ctx.Err())
	}
}

// An empty Done case in a loop that never looks at ctx otherwise: the loop
// goes round again after the caller gave up.
func pollEmptyCase(ctx context.Context, db *sql.DB) error {
	for {
		if _, err := db.ExecContext(ctx, "SELECT 1"); err == nil {
			return nil
		}
		select {
		case <-ctx.Done(): // want `this case <-ctx.Done\(\) does nothing, so the loop goes round again after ctx is done: return ctx.Err\(\)`
		case <-time.After(time.Second):
		}
	}
}

// The loop goes round only while the call given ctx fails with one chosen
// error (nats' publish retry on ErrNoResponders): once ctx is done the call
// fails with ctx's error and the loop ends, so the empty case only wakes it.
var errNoResponders = errors.New("no responders")

func publishRetry(ctx context.Context, send func(context.Context) error, attempts int) error {
	err := send(ctx)
	for r := 0; errors.Is(err, errNoResponders) && r < attempts; r++ {
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
		err = send(ctx)
	}
	return err
}

func pollReturns(ctx context.Context, db *sql.DB) error {
	for {
		if _, err := db.ExecContext(ctx, "SELECT 1"); err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Second):
		}
	}
}

// The loop's condition consults the context: an empty case only wakes it.
func pollUntilDone(ctx context.Context, tick <-chan time.Time, db *sql.DB) {
	for ctx.Err() == nil {
		select {
		case <-ctx.Done():
		case <-tick:
		}
		db.ExecContext(ctx, "SELECT 1")
	}
}

// for range over Done never runs its body.
func run(ctx context.Context, cancelAll func()) error {
	for range ctx.Done() { // want `for range over ctx.Done\(\) never runs its body`
		cancelAll()
		return ctx.Err()
	}
	return nil
}

func runFixed(ctx context.Context, cancelAll func()) error {
	<-ctx.Done()
	cancelAll()
	return ctx.Err()
}

// The Done channel kept in a field and read in another method.
type worker struct {
	done <-chan struct{}
	jobs chan string
}

func newWorker(ctx context.Context) *worker {
	return &worker{done: ctx.Done(), jobs: make(chan string)}
}

func (w *worker) next() (string, error) {
	select {
	case j := <-w.jobs:
		return j, nil
	case <-w.done:
		return "", nil // want `returning nil when ctx is done tells the caller the work finished when it was abandoned`
	}
}

// A clone copies the channel from the worker it clones: the copy is no
// new source (the search over stores ends; nats-server's clones did not).
func (w *worker) clone() *worker {
	return &worker{done: w.done, jobs: make(chan string)}
}

func (w *worker) nextOrStop() (string, error) {
	select {
	case j := <-w.jobs:
		return j, nil
	case <-w.done:
		return "", nil // want `returning nil when ctx is done tells the caller the work finished when it was abandoned`
	}
}

// errors.Join of what was collected is nil when nothing failed yet.
func collect(ctx context.Context, results chan error) error {
	var errs []error
	for {
		select {
		case err := <-results:
			if err != nil {
				errs = append(errs, err)
			}
		case <-ctx.Done():
			return errors.Join(errs...) // want `when ctx is done this returns errors.Join of the errors seen so far, which is nil when there were none`
		}
	}
}

func collectFixed(ctx context.Context, results chan error) error {
	var errs []error
	for {
		select {
		case err := <-results:
			if err != nil {
				errs = append(errs, err)
			}
		case <-ctx.Done():
			return errors.Join(append(errs, ctx.Err())...)
		}
	}
}

// A producer that closes its error channel on Done without sending why:
// readers take the stream for complete.
func subscribe(ctx context.Context, url string) (<-chan string, <-chan error) {
	events, errs := make(chan string), make(chan error, 1)
	go func() {
		defer close(errs)
		for {
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				errs <- err
				return
			}
			resp.Body.Close()
			select {
			case events <- url:
			case <-ctx.Done():
				return // want `the goroutine returns when ctx is done and closes its error channel without sending the cancellation`
			}
		}
	}()
	return events, errs
}

func subscribeFixed(ctx context.Context, url string) (<-chan string, <-chan error) {
	events, errs := make(chan string), make(chan error, 1)
	go func() {
		defer close(errs)
		for {
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				errs <- err
				return
			}
			resp.Body.Close()
			select {
			case events <- url:
			case <-ctx.Done():
				errs <- ctx.Err()
				return
			}
		}
	}()
	return events, errs
}

// A named error result that a deferred closure reads is one variable stored
// many times: only the store on the way to each use decides where the error
// came from (caddy's fastcgi transport, certmagic's ARI update).
func namedResult(ctx context.Context, db *sql.DB, limit func() error) (err error) {
	defer func() {
		if err != nil {
			db.Close()
		}
	}()
	if _, err = db.ExecContext(ctx, "SELECT 1"); err != nil {
		return fmt.Errorf("query: %v", err) // want `%v formats err, which may be a context cancellation \(from \(\*sql.DB\).ExecContext\)`
	}
	if err = limit(); err != nil {
		return fmt.Errorf("setting a limit: %v", err) // limit's error, not the query's
	}
	return nil
}

type problem struct{ Type string }

func (p *problem) Error() string { return p.Type }

// The return answers another failure, or an error known to be something
// else: not a replacement of the cancellation (certmagic's account reset).
func answersOther(ctx context.Context, db *sql.DB) error {
	_, err := db.ExecContext(ctx, "SELECT 1")
	if err != nil {
		var prob *problem
		if errors.As(err, &prob) && prob.Type == "gone" {
			return errors.New("account is gone") // err is a *problem here
		}
		if cerr := db.Close(); cerr != nil {
			return fmt.Errorf("closing after a failed query: %v", cerr) // the close failed: another error
		}
		return errors.New("query failed") // want `errors.New replaces err, which may be a context cancellation`
	}
	return nil
}

// A context the object keeps for its lifetime: once it is done the object
// is closed, and saying so is the answer (franz-go's ctxErr returning
// ErrClientClosed).
type lifetime struct {
	ctx    context.Context
	cancel context.CancelFunc
}

func newLifetime(parent context.Context) *lifetime {
	ctx, cancel := context.WithCancel(parent)
	return &lifetime{ctx: ctx, cancel: cancel}
}

var ErrClosed = errors.New("closed")

func (l *lifetime) ctxErr(ctx context.Context) error {
	if l.ctx.Err() != nil {
		return ErrClosed
	}
	return ctx.Err()
}

// The caller's context is no lifetime of ours: replacing its end is.
func callerEndReplaced(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return ErrClosed // want `patterns.ErrClosed replaces ctx's cancellation when it is done`
	}
	return nil
}

func isCtxErr(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// Excluded by a cancellation predicate of the package (franz-go's
// !isContextErr(readErr)): err is no cancellation there.
func predicateExcludes(ctx context.Context, db *sql.DB, dead bool) error {
	_, err := db.ExecContext(ctx, "SELECT 1")
	if err != nil {
		if dead && !isCtxErr(err) {
			return ErrTimeout
		}
		return err
	}
	return nil
}

// A predicate that is true for other errors too excludes nothing.
func isRetryable(err error) bool {
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, io.ErrUnexpectedEOF)
}

func loosePredicate(ctx context.Context, db *sql.DB) error {
	_, err := db.ExecContext(ctx, "SELECT 1")
	if err != nil {
		if !isRetryable(err) {
			return ErrTimeout // want `patterns.ErrTimeout replaces err, which may be a context cancellation`
		}
		return err
	}
	return nil
}

// Only where err's message has a text no cancellation's has (docker's
// "malformed HTTP response"): err is no cancellation there.
func messageRulesOut(ctx context.Context, c *http.Client, req *http.Request) error {
	resp, err := c.Do(req.WithContext(ctx))
	if err != nil {
		if strings.Contains(err.Error(), "malformed HTTP response") {
			return fmt.Errorf("%v: is TLS enabled?", err)
		}
		if strings.Contains(err.Error(), "canceled") {
			return fmt.Errorf("%v: gave up", err) // want `%v formats err, which may be a context cancellation`
		}
		return err
	}
	return resp.Body.Close()
}
