// Recall case uw-neo4j-go-driver-retrysleep
// Source: github.com/neo4j/neo4j-go-driver commit 9e6857b333f945b135e3cc12f359629024823782 (neo4j/internal/retry/state.go, neo4j/session_with_context.go)
// Link: https://github.com/neo4j/neo4j-go-driver/commit/9e6857b333f945b135e3cc12f359629024823782
// Bug: The transaction retry loop in runRetriable(ctx) backs off through State.Continue, which calls the session's sleep field (time.Sleep), so a cancelled ctx cannot interrupt the back-off.
// Fix: Sleep became func(ctx, d) error implemented with select on time.After and ctx.Done, and Continue takes the ctx.
// Rule: uncancellablewait
package neo4j

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log"
	"time"
)

// TransactionExecutionLimit is returned when retrying gives up.
type TransactionExecutionLimit struct {
	Cause  string
	Errors []error
}

func (e *TransactionExecutionLimit) Error() string {
	return fmt.Sprintf("TransactionExecutionLimit: %s after %d attempts", e.Cause, len(e.Errors))
}

// retryableError marks an error as transient.
type retryableError struct{ inner error }

func (e *retryableError) Error() string { return e.inner.Error() }

// Throttler computes back-off delays.
type Throttler time.Duration

func (t Throttler) next() Throttler     { return t * 2 }
func (t Throttler) delay() time.Duration { return time.Duration(t) }

// State is the retry state (package retry upstream).
type State struct {
	Errs                    []error
	MaxTransactionRetryTime time.Duration
	LogId                   string
	Sleep                   func(context.Context, time.Duration) error
	Throttle                Throttler

	start     time.Time
	skipSleep bool
}

func (s *State) OnFailure(_ context.Context, err error, conn *sql.Conn, isCommitting bool) {
	s.Errs = append(s.Errs, err)
	s.skipSleep = false
}

func (s *State) Continue(ctx context.Context) bool {
	if s.start.IsZero() {
		s.start = time.Now()
	}
	if len(s.Errs) == 0 {
		return true
	}
	lastErr := s.Errs[len(s.Errs)-1]
	if !IsRetryable(lastErr) {
		return false
	}
	if time.Since(s.start) > s.MaxTransactionRetryTime {
		s.Errs = []error{&TransactionExecutionLimit{
			Cause:  fmt.Sprintf("timeout (exceeded max retry time: %s)", s.MaxTransactionRetryTime.String()),
			Errors: s.Errs,
		}}
		return false
	}
	if s.skipSleep {
		log.Printf("%s: Retrying transaction: %s", s.LogId, lastErr)
	} else {
		s.Throttle = s.Throttle.next()
		sleepTime := s.Throttle.delay()
		log.Printf("%s: Retrying transaction: %s [after %s]", s.LogId, lastErr, sleepTime)

		err := s.Sleep(ctx, sleepTime)
		if err != nil {
			s.Errs = []error{&TransactionExecutionLimit{
				Cause:  err.Error(),
				Errors: s.Errs,
			}}
		}
	}
	return true
}

func (s *State) ProduceError() error {
	return s.Errs[len(s.Errs)-1]
}

func IsRetryable(err error) bool {
	var r *retryableError
	return errors.As(err, &r)
}

type sessionWithContext struct {
	db                      *sql.DB
	sleep                   func(context.Context, time.Duration) error
	logId                   string
	throttleTime            time.Duration
	maxTransactionRetryTime time.Duration
}

func newSessionWithContext(db *sql.DB) *sessionWithContext {
	return &sessionWithContext{
		db:                      db,
		sleep:                   Sleep,
		logId:                   "session-1",
		throttleTime:            time.Second * 1,
		maxTransactionRetryTime: 30 * time.Second,
	}
}

// ExecuteWrite runs work in a managed transaction, retrying transient failures.
func (s *sessionWithContext) ExecuteWrite(ctx context.Context, work func(*sql.Tx) (any, error)) (any, error) {
	return s.runRetriable(ctx, work)
}

func (s *sessionWithContext) runRetriable(ctx context.Context, work func(*sql.Tx) (any, error)) (any, error) {
	state := State{
		MaxTransactionRetryTime: s.maxTransactionRetryTime,
		LogId:                   s.logId,
		Sleep:                   s.sleep,
		Throttle:                Throttler(s.throttleTime),
	}
	for state.Continue(ctx) {
		if hasCompleted, result := s.executeTransactionFunction(ctx, &state, work); hasCompleted {
			return result, nil
		}
	}
	err := state.ProduceError()
	log.Printf("%s: %v", s.logId, err)
	return nil, err
}

func (s *sessionWithContext) executeTransactionFunction(ctx context.Context, state *State, work func(*sql.Tx) (any, error)) (bool, any) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		state.OnFailure(ctx, &retryableError{err}, nil, false)
		return false, nil
	}
	defer conn.Close()

	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		state.OnFailure(ctx, &retryableError{err}, conn, false)
		return false, nil
	}
	x, err := work(tx)
	if err != nil {
		_ = tx.Rollback()
		state.OnFailure(ctx, err, conn, false)
		return false, nil
	}
	if err := tx.Commit(); err != nil {
		state.OnFailure(ctx, &retryableError{err}, conn, true)
		return false, nil
	}
	return true, x
}

// Sleep waits for d or until ctx is done (package racing upstream).
func Sleep(ctx context.Context, d time.Duration) error {
	select {
	case <-time.After(d):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
