package a

import (
	"context"
	"database/sql"
	"net"
	"net/http"
	"time"
)

type Store struct{ db *sql.DB }

func (s *Store) Load(ctx context.Context) error {
	qctx, cancel := context.WithTimeout(context.Background(), 5*time.Second) // want `context.WithTimeout\(context.Background\(\), …\) starts a fresh budget that ignores ctx's deadline and cancellation: the stage can outlive its caller; derive it from ctx`
	defer cancel()
	_, err := s.db.ExecContext(qctx, "SELECT 1")
	return err
}

func handler(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithDeadline(context.TODO(), time.Now().Add(time.Second)) // want `context.WithDeadline\(context.TODO\(\), …\) starts a fresh budget that ignores r.Context\(\)'s deadline`
	defer cancel()
	_ = ctx
}

func nested(ctx context.Context, db *sql.DB) error {
	outer, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	inner, cancel2 := context.WithTimeout(outer, 5*time.Second) // want `inner budget 5s can never fire: its parent context already expires within 2s; drop the inner timeout or make it shorter than 2s`
	defer cancel2()
	_, err := db.ExecContext(inner, "SELECT 1")
	return err
}

func rewrap(ctx context.Context, items []string) {
	for _, it := range items {
		ctx = context.WithValue(ctx, "item", it) // want `context.WithValue wraps the context it produced on the previous iteration`
	}
	_ = ctx
}

func retryForever(db *sql.DB) error {
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second) // want `each attempt gets 3s, but the endless retry loop has no overall deadline \(the parent is context.Background\(\)\): attempts × 3s is unbounded`
		_, err := db.ExecContext(ctx, "SELECT 1")
		cancel()
		if err == nil {
			return nil
		}
	}
}

func connBudget(ctx context.Context, addr string) error {
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	c.SetDeadline(time.Now().Add(10 * time.Second)) // want `SetDeadline\(time.Now\(\).Add\(…\)\) ignores ctx's deadline: the connection may wait past the caller's budget; use the earlier of the two \(ctx.Deadline\(\)\)`
	_, err = c.Write([]byte("ping"))
	return err
}

// --- exemptions ---

func derived(ctx context.Context, db *sql.DB) error {
	qctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	_, err := db.ExecContext(qctx, "SELECT 1")
	return err
}

func detachedGoroutine(ctx context.Context, db *sql.DB) {
	go func() {
		bg, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		db.ExecContext(bg, "VACUUM")
	}()
}

func detachedWithoutCancel(ctx context.Context, db *sql.DB) {
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	db.ExecContext(cctx, "INSERT INTO audit VALUES (1)")
}

func shutdown(ctx context.Context, srv *http.Server) error {
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}

func noContextInScope(db *sql.DB) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	db.ExecContext(ctx, "SELECT 1")
}

func shorterInner(ctx context.Context) {
	outer, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	inner, cancel2 := context.WithTimeout(outer, time.Second)
	defer cancel2()
	_ = inner
}

func configured(ctx context.Context, d time.Duration) {
	outer, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	inner, cancel2 := context.WithTimeout(outer, d)
	defer cancel2()
	_ = inner
}

func perIteration(ctx context.Context, items []string) {
	for _, it := range items {
		ictx := context.WithValue(ctx, "item", it)
		_ = ictx
	}
}

func boundedRetry(ctx context.Context, db *sql.DB) error {
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		actx, cancel := context.WithTimeout(ctx, time.Second)
		_, err = db.ExecContext(actx, "SELECT 1")
		cancel()
	}
	return err
}

func retryUnderDeadline(ctx context.Context, db *sql.DB) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	for {
		actx, cancel := context.WithTimeout(ctx, time.Second)
		_, err := db.ExecContext(actx, "SELECT 1")
		cancel()
		if err == nil || ctx.Err() != nil {
			return err
		}
	}
}

func connHonoursCtx(ctx context.Context, c net.Conn) error {
	deadline := time.Now().Add(10 * time.Second)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	c.SetDeadline(deadline)
	c.SetReadDeadline(time.Now().Add(time.Second))
	return nil
}

func connNoCtx(c net.Conn) {
	c.SetDeadline(time.Now().Add(10 * time.Second))
}

// accepted serves a connection it did not dial: the server's own budget.
func accepted(ctx context.Context, c net.Conn) {
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
}

func renewInBackground(ctx context.Context, renew func(context.Context, context.CancelFunc)) {
	bg, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	go renew(bg, cancel) // handed to a goroutine: detached on purpose
}
