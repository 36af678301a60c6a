// Recall case cc-keboola-as-code-closefile
// Source: github.com/keboola/keboola-as-code commit 5e83a81073b4bf8ad075698eeeb4bde65d007bc8 (internal/pkg/service/stream/storage/node/coordinator/filerotation/operator.go)
// Link: https://github.com/keboola/keboola-as-code/commit/5e83a81073b4bf8ad075698eeeb4bde65d007bc8
// Bug: closeFile passes the FileCloseTimeout ctx that waitForFileClosing may already have exhausted to the lock acquisition (and records the retry with the shared dbCtx), so after a close timeout the lock call fails with "context deadline exceeded" and the failure/retry bookkeeping never runs, creating a tight error loop.
// Fix: the lock acquisition and the retry increment each get a fresh context.WithTimeoutCause(context.WithoutCancel(ctx), dbOperationTimeout, ...).
// Rule: cleanupctx
package filerotation

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/url"
	"sync"
	"time"
)

const dbOperationTimeout = 30 * time.Second

// FileKey is a stand-in for model.FileKey.
type FileKey string

func (k FileKey) String() string { return string(k) }

type fileData struct {
	FileKey   FileKey
	Processed bool
}

type config struct {
	FileCloseTimeout time.Duration
}

// lockClient is a stand-in for the etcd-based distributed lock; it acquires
// the lock with a real HTTP request bound to ctx.
type lockClient struct {
	endpoint string
	client   *http.Client
}

func (l *lockClient) lock(ctx context.Context, name string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, l.endpoint+"/v3/lock/lock?name="+url.QueryEscape(name), nil)
	if err != nil {
		return "", err
	}
	resp, err := l.client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("lock %q: %s", name, resp.Status)
	}
	return name, nil
}

func (l *lockClient) unlock(ctx context.Context, name string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, l.endpoint+"/v3/lock/unlock?name="+url.QueryEscape(name), nil)
	if err != nil {
		return err
	}
	resp, err := l.client.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// LockFile is a stand-in for clusterlock.LockFile.
func LockFile(ctx context.Context, locks *lockClient, logger *log.Logger, fileKey FileKey) (string, func(), error) {
	lock, err := locks.lock(ctx, "file/"+fileKey.String())
	if err != nil {
		return "", nil, fmt.Errorf("cannot lock file %q: %w", fileKey, err)
	}
	unlock := func() {
		if err := locks.unlock(context.WithoutCancel(ctx), lock); err != nil {
			logger.Printf("cannot unlock file %q: %s", fileKey, err)
		}
	}
	return lock, unlock, nil
}

// fileRepository is a stand-in for the etcd file repository.
type fileRepository struct {
	db *sql.DB
}

func (r *fileRepository) SwitchToImporting(ctx context.Context, lock string, k FileKey, now time.Time, isEmpty bool) error {
	_, err := r.db.ExecContext(ctx, `UPDATE files SET state = 'importing', empty = ?, updated_at = ? WHERE file_key = ?`, isEmpty, now, k.String())
	return err
}

func (r *fileRepository) IncrementRetryAttempt(ctx context.Context, lock string, k FileKey, now time.Time, reason string) (time.Time, error) {
	var retryAfter time.Time
	err := r.db.QueryRowContext(ctx, `UPDATE files SET retry_attempt = retry_attempt + 1, retry_reason = ?, retry_after = ? WHERE file_key = ? RETURNING retry_after`, reason, now.Add(time.Minute), k.String()).Scan(&retryAfter)
	return retryAfter, err
}

type operator struct {
	config config
	logger *log.Logger
	locks  *lockClient
	files  *fileRepository

	lock                 sync.RWMutex
	openedSlicesNotifier chan struct{}
	openedSlicesCount    map[FileKey]int64
}

func (o *operator) closeFile(ctx context.Context, file *fileData) {
	var err error

	ctx, cancel := context.WithTimeoutCause(context.WithoutCancel(ctx), o.config.FileCloseTimeout, errors.New("file close timeout"))
	defer cancel()

	// Wait for all slices upload, get statistics
	recordsCount, err := o.waitForFileClosing(ctx, file)

	// Update the entity, the ctx may be cancelled
	dbCtx, dbCancel := context.WithTimeoutCause(context.WithoutCancel(ctx), dbOperationTimeout, errors.New("switch to importing timeout"))
	defer dbCancel()

	// Lock all file operations.
	// Use a fresh context - waitForFileClosing may have consumed the FileCloseTimeout budget.
	lockCtx, lockCancel := context.WithTimeoutCause(context.WithoutCancel(ctx), dbOperationTimeout, errors.New("file close lock acquisition timeout"))
	defer lockCancel()

	lock, unlock, lockErr := LockFile(lockCtx, o.locks, o.logger, file.FileKey)
	if lockErr != nil {
		o.logger.Printf(`file close error: %s`, lockErr)
		return
	}
	defer unlock()

	// Switch file to the importing state, if the waitForFileClosing has been successful
	if err == nil {
		isEmpty := recordsCount == 0
		err = o.files.SwitchToImporting(dbCtx, lock, file.FileKey, time.Now(), isEmpty)
		if err != nil {
			err = fmt.Errorf("cannot switch file to the importing state: %w", err)
		}
	}

	// If there is an error, increment retry delay
	if err != nil {
		retryCtx, retryCancel := context.WithTimeoutCause(context.WithoutCancel(ctx), dbOperationTimeout, errors.New("retry increment timeout"))
		defer retryCancel()

		o.logger.Print(err.Error())

		retryAfter, rErr := o.files.IncrementRetryAttempt(retryCtx, lock, file.FileKey, time.Now(), err.Error())
		if rErr != nil {
			o.logger.Printf("cannot increment file close retry: %s", rErr)
			return
		}
		o.logger.Printf("file closing will be retried after %q", retryAfter.String())
	}

	// Prevents other processing, if the entity has been modified.
	file.Processed = true

	if err == nil {
		o.logger.Print("closed file")
	}
}

func (o *operator) waitForFileClosing(ctx context.Context, file *fileData) (int64, error) {
	o.logger.Print("closing file")

	// Wait until all file slices are uploaded
	if err := o.waitForSlicesUpload(ctx, file.FileKey); err != nil {
		return 0, fmt.Errorf("error when waiting for file slices upload: %w", err)
	}
	return 0, nil
}

func (o *operator) waitForSlicesUpload(ctx context.Context, fileKey FileKey) error {
	for {
		o.lock.RLock()
		notifier := o.openedSlicesNotifier
		openedSlicesCount := o.openedSlicesCount[fileKey]
		o.lock.RUnlock()

		if openedSlicesCount == 0 {
			return nil
		}

		// Wait for the next update
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-notifier:
			// check again
		}
	}
}
