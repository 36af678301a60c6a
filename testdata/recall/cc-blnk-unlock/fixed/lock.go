// Recall case cc-blnk-unlock
// Source: github.com/blnkfinance/blnk commit 7b3e025dcdcced886e1654708f3899e976013a6e (internal/lock/lock.go)
// Link: https://github.com/blnkfinance/blnk/commit/7b3e025dcdcced886e1654708f3899e976013a6e
// Bug: Locker.Unlock runs the redis release script on the caller's ctx; it is called from a deferred releaseSingleLock(ctx, locker) after the request ctx may already be cancelled/timed out, so the release fails immediately and the lock is held until its TTL expires.
// Fix: Unlock detaches from cancellation via releaseContext: context.WithTimeout(context.WithoutCancel(ctx), lockReleaseTimeout).
// Rule: cleanupctx
package redlock

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"strings"
	"time"
)

var ErrLockHeld = errors.New("lock already held")

// redisClient is a minimal stand-in for redis.UniversalClient that speaks a
// line protocol over TCP, honouring ctx for dial and I/O deadlines.
type redisClient struct {
	addr string
}

func (c *redisClient) do(ctx context.Context, args ...string) (string, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", c.addr)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	if _, err := fmt.Fprintf(conn, "%s\n", strings.Join(args, " ")); err != nil {
		return "", err
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		return "", err
	}
	return strings.TrimSpace(line), nil
}

func (c *redisClient) SetNX(ctx context.Context, key, value string, ttl time.Duration) (bool, error) {
	res, err := c.do(ctx, "SET", key, value, "NX", "PX", fmt.Sprint(ttl.Milliseconds()))
	return res == "OK", err
}

func (c *redisClient) Eval(ctx context.Context, script string, keys []string, args ...string) (int64, error) {
	res, err := c.do(ctx, append([]string{"EVAL", script, keys[0]}, args...)...)
	if err != nil {
		return 0, err
	}
	if res == "1" {
		return 1, nil
	}
	return 0, nil
}

// Locker represents a distributed lock using Redis.
type Locker struct {
	client *redisClient
	key    string
	value  string
}

func NewLocker(client *redisClient, key, value string) *Locker {
	return &Locker{client: client, key: key, value: value}
}

// Lock attempts to acquire the lock for the specified key with a timeout.
func (l *Locker) Lock(ctx context.Context, timeout time.Duration) error {
	success, err := l.client.SetNX(ctx, l.key, l.value, timeout)
	if err != nil {
		return err
	}
	if !success {
		return fmt.Errorf("lock for key %s is already held: %w", l.key, ErrLockHeld)
	}
	return nil
}

// Unlock releases the lock if the calling instance is the lock holder (based on the value).
// ctx's cancellation is ignored: an abandoned request must still free the lock.
func (l *Locker) Unlock(ctx context.Context) error {
	ctx, cancel := releaseContext(ctx)
	defer cancel()

	// Lua script ensures atomicity: checks the value and deletes the key if the value matches.
	script := "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end"
	result, err := l.client.Eval(ctx, script, []string{l.key}, l.value)
	if err != nil {
		return err
	}
	if result == int64(0) {
		return fmt.Errorf("unlock failed, either lock expired or you're not the lock holder for key %s", l.key)
	}
	return nil
}

const (
	lockDuration       = 30 * time.Second
	lockReleaseTimeout = 5 * time.Second
)

// releaseContext keeps ctx's values but drops its cancellation, bounded by lockReleaseTimeout.
func releaseContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), lockReleaseTimeout)
}

type Blnk struct {
	redis *redisClient
}

// releaseSingleLock releases a single distributed lock.
func (b *Blnk) releaseSingleLock(ctx context.Context, locker *Locker) {
	if err := locker.Unlock(ctx); err != nil {
		log.Printf("failed to release lock: %v", err)
	}
}

// CommitInflightTransaction commits an inflight transaction under a lock.
func (b *Blnk) CommitInflightTransaction(ctx context.Context, transactionID string, commit func(context.Context) error) error {
	lockKey := fmt.Sprintf("inflight-commit:%s", transactionID)
	locker := NewLocker(b.redis, lockKey, "loc_"+transactionID)

	if err := locker.Lock(ctx, lockDuration); err != nil {
		return fmt.Errorf("failed to acquire lock for inflight commit: %w", err)
	}
	defer b.releaseSingleLock(ctx, locker)

	return commit(ctx)
}
