// Recall case sc-renterd-retry-deadline-exceeded
// Source: github.com/SiaFoundation/renterd commit 69b98b99614c4e3392c8c8f80959c6935aefc6c5 (stores/sql.go)
// Link: https://github.com/SiaFoundation/renterd/commit/69b98b99614c4e3392c8c8f80959c6935aefc6c5
// Bug: retryTransaction's abortRetry only stops on context.Canceled, so a transaction that failed with context.DeadlineExceeded is retried (with sleeps) as if it were a transient DB error instead of returning the context error at once.
// Fix: abortRetry also aborts on errors.Is(err, context.DeadlineExceeded).
// Rule: swallowcancel
package stores

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log"
	"strings"
	"time"
)

var (
	errRecordNotFound        = errors.New("record not found")
	errInvalidNumberOfShards = errors.New("slab has invalid number of shards")
	errShardRootChanged      = errors.New("shard root changed")
	ErrObjectNotFound        = errors.New("object not found")
	ErrBucketNotFound        = errors.New("bucket not found")
)

// --- local stand-in for *gorm.DB ---

type gormDB struct {
	db  *sql.DB
	ctx context.Context
}

func (g *gormDB) WithContext(ctx context.Context) *gormDB {
	return &gormDB{db: g.db, ctx: ctx}
}

func (g *gormDB) Transaction(fc func(tx *sql.Tx) error) (err error) {
	ctx := g.ctx
	if ctx == nil {
		ctx = context.Background()
	}
	tx, err := g.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fc(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// --- renterd store ---

type SQLStore struct {
	db                        *gormDB
	retryTransactionIntervals []time.Duration
	logger                    *log.Logger
}

func (s *SQLStore) retryTransaction(ctx context.Context, fc func(tx *sql.Tx) error) error {
	abortRetry := func(err error) bool {
		if err == nil ||
			errors.Is(err, context.Canceled) ||
			errors.Is(err, errRecordNotFound) ||
			errors.Is(err, errInvalidNumberOfShards) ||
			errors.Is(err, errShardRootChanged) ||
			errors.Is(err, ErrObjectNotFound) ||
			errors.Is(err, ErrBucketNotFound) ||
			strings.Contains(err.Error(), "no such table") ||
			strings.Contains(err.Error(), "Duplicate entry") {
			return true
		}
		return false
	}

	var err error
	attempts := len(s.retryTransactionIntervals) + 1
	for i := 0; i < attempts; i++ {
		// execute the transaction
		err = s.db.WithContext(ctx).Transaction(fc)
		if abortRetry(err) {
			return err
		}

		// if this was the last attempt, return the error
		if i == len(s.retryTransactionIntervals) {
			s.logger.Printf("transaction attempt %d/%d failed, err: %v", i+1, attempts, err)
			return err
		}

		// log the failed attempt and sleep before retrying
		interval := s.retryTransactionIntervals[i]
		s.logger.Printf("transaction attempt %d/%d failed, retry in %v,  err: %v", i+1, attempts, interval, err)
		time.Sleep(interval)
	}
	return fmt.Errorf("retryTransaction failed: %w", err)
}

func (s *SQLStore) ResetConsensusSubscription(ctx context.Context) error {
	// empty tables and reinit consensus_infos
	return s.retryTransaction(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM consensus_infos"); err != nil {
			return err
		} else if _, err := tx.ExecContext(ctx, "DELETE FROM siacoin_elements"); err != nil {
			return err
		} else if _, err := tx.ExecContext(ctx, "DELETE FROM transactions"); err != nil {
			return err
		}
		return nil
	})
}
