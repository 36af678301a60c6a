package store // want package:"imports database/sql"

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os/exec"
	"net"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

type Store struct {
	db   *sql.DB
	pool *pgxpool.Pool
	c    *http.Client
}

// NewStore keeps the client its caller configures (a field the package
// never set would have no Timeout the package chose).
func NewStore(db *sql.DB, pool *pgxpool.Pool, c *http.Client) *Store {
	return &Store{db: db, pool: pool, c: c}
}

func (s *Store) Load(ctx context.Context, id int) error { // want Load:"ctx reaches \\(\\*pgxpool.Pool\\).QueryRow via \\(\\*store.Store\\).load"
	return s.load(ctx, id)
}

func (s *Store) load(ctx context.Context, id int) error { // want load:"^ctx reaches \\(\\*pgxpool.Pool\\).QueryRow$"
	return s.pool.QueryRow(ctx, "SELECT 1", id).Scan()
}

func Exec(db *sql.DB, ctx context.Context) error { // want Exec:"ctx reaches \\(\\*sql.DB\\).ExecContext"
	c, cancel := context.WithCancel(ctx)
	defer cancel()
	_, err := db.ExecContext(c, "DELETE FROM t")
	return err
}

// Bounded puts its own deadline on the query: the wait is bounded, and
// still ends with ctx (a caller that passes a root there drops its own).
func Bounded(ctx context.Context, db *sql.DB) error { // want Bounded:"^ctx reaches \\(\\*sql.DB\\).ExecContext \\(maybe bounded\\)$"
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	_, err := db.ExecContext(ctx, "DELETE FROM t")
	return err
}

// Fetch uses a client that may have a Timeout: the fact says so, and a
// caller is not told ctx is the wait's only bound (precision first).
func (s *Store) Fetch(ctx context.Context, url string) error { // want Fetch:"^ctx reaches \\(\\*http.Client\\).Do \\(maybe bounded\\); returns the cancellation of param 0$"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	_, err = s.c.Do(req)
	return err
}

// Async reaches the sink from a goroutine.
func Async(ctx context.Context, db *sql.DB) { // want Async:"ctx reaches \\(\\*sql.DB\\).ExecContext"
	go func() {
		db.ExecContext(ctx, "DELETE FROM t")
	}()
}

// Twice passes Exec a nil database: Exec cannot reach its query with it,
// so only the cancellation of ctx is left in the fact.
func Twice(name string, ctx context.Context) error { // want Twice:"^returns the cancellation of param 1$"
	return Exec(nil, ctx)
}

// Dispatch queries for some commands only: the fact says which.
func Dispatch(ctx context.Context, command string, db *sql.DB) error { // want Dispatch:"ctx reaches \\(\\*sql.DB\\).ExecContext when command is \"migrate\" or \"up\""
	switch command {
	case "up", "migrate":
		_, err := db.ExecContext(ctx, "UPDATE t SET x = 1")
		return err
	case "create":
		return nil
	}
	return nil
}

// Each calls f where ctx is in scope: a function passed here that starts
// its own root cuts ctx off.
func Each(ctx context.Context, ids []int, f func(int) error) error { // want Each:"^calls f where ctx is in scope; calls param 2 during the call; calls param 2 once per piece$"
	for _, id := range ids {
		if err := f(id); err != nil {
			return err
		}
	}
	return nil
}

// Send gives the connection ctx's deadline: ctx bounds the I/O.
func Send(ctx context.Context, conn net.Conn, b []byte) error { // want Send:"^ctx reaches the I/O of a connection whose deadline is ctx's \\(SetDeadline\\(ctx.Deadline\\(\\)\\)\\)$"
	if dl, ok := ctx.Deadline(); ok {
		conn.SetWriteDeadline(dl)
	}
	_, err := conn.Write(b)
	return err
}

// Retry calls op until it succeeds or the attempts run out, sleeping in
// between: nothing in its loop can learn of a cancellation.
func Retry(op func() error, attempts int) error { // want Retry:"^retries the errors of param 0; calls param 0 during the call; calls param 0 once per piece$"
	var err error
	for i := 0; i < attempts; i++ {
		if err = op(); err == nil {
			return nil
		}
		time.Sleep(time.Second)
	}
	return err
}

// TryDo calls f until it asks to stop, succeeds or the attempts run out
// (release-manager's try.Do): a true first result ends the loop.
func TryDo(max int, f func(int) (bool, error)) error { // want TryDo:"^retries the errors of param 1; stops retrying param 1 when it returns true; calls param 1 during the call; calls param 1 once per piece$"
	attempt := 1
	for {
		stop, err := f(attempt)
		if err == nil {
			return nil
		}
		if stop {
			return err
		}
		attempt++
		if attempt > max {
			return err
		}
	}
}

// Push runs git under ctx: once ctx is done the command is killed (or
// never starts) and Push fails, with an error that need not be ctx's.
func Push(ctx context.Context, dir string) error { // want Push:"^ctx reaches exec.CommandContext \\(maybe bounded\\); runs a command killed once param 0 is done$"
	cmd := exec.CommandContext(ctx, "git", "push")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("git push: %s: %w", out, err)
	}
	return nil
}

// RetryLater hands op on to Retry: it retries it too.
func RetryLater(n int, op func() error) error { // want RetryLater:"^retries the errors of param 1$"
	return Retry(op, n)
}

// Poll waits on ctx between attempts: it stops once ctx is done.
func Poll(ctx context.Context, op func() error) error { // want Poll:"^ctx reaches a poll that only its context.s Done can end [(]maybe bounded[)]; calls op where ctx is in scope; returns the cancellation of param 0; fails only once param 0 is done; calls param 1 during the call; calls param 1 once per piece$"
	for {
		if err := op(); err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Second):
		}
	}
}

// Notify asks the caller what to do with each failure.
func Notify(op func() error, notify func(error)) error { // want Notify:"^calls param 0 during the call; calls param 1 during the call; calls param 0 once per piece; calls param 1 once per piece$"
	for {
		err := op()
		if err == nil {
			return nil
		}
		notify(err)
		time.Sleep(time.Second)
	}
}

var errBusy = errors.New("busy")

// RetryBusy goes round only for errBusy and returns any other error: it
// retries no cancellation (database/sql's retry of bad connections).
func RetryBusy(op func() error) error { // want RetryBusy:"^calls param 0 during the call; calls param 0 once per piece$"
	for i := 0; i < 3; i++ {
		err := op()
		if err == nil || !errors.Is(err, errBusy) {
			return err
		}
	}
	return op()
}

// RetryBusyEq is the same with ==.
func RetryBusyEq(op func() error) error { // want RetryBusyEq:"^calls param 0 during the call; calls param 0 once per piece$"
	for {
		err := op()
		if err != errBusy {
			return err
		}
		time.Sleep(time.Second)
	}
}

// Walk hands a closure that checks ctx to a walker and returns what the
// walker returns (filepath.WalkDir): the closure's ctx.Err() is Walk's.
func Walk(ctx context.Context, walk func(func() error) error) error { // want Walk:"returns the cancellation of param 0; calls param 1 during the call$"
	return walk(func() error { return ctx.Err() })
}

// Resolve returns no error: its closure's ctx.Err() is nobody's result.
func Resolve(ctx context.Context, resolve func(func() error) *Store) *Store { // want Resolve:"^calls resolve where ctx is in scope; calls param 1 during the call$"
	return resolve(func() error { return ctx.Err() })
}

// A DNS lookup: the system bounds it (a root given to it is no finding).
func LookupHost(ctx context.Context, host string) ([]string, error) { // want LookupHost:"ctx reaches \\(\\*net.Resolver\\).LookupHost \\(maybe bounded\\) \\(bounded by the system\\)"
	return net.DefaultResolver.LookupHost(ctx, host)
}
