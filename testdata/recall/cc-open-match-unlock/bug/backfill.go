// Recall case cc-open-match-unlock
// Source: github.com/googleforgames/open-match commit 74d84a2626bcb4f36d8c205d38cda9e073963d23 (internal/statestore/backfill.go)
// Link: https://github.com/googleforgames/open-match/commit/74d84a2626bcb4f36d8c205d38cda9e073963d23
// Bug: DeleteBackfillCompletely releases the distributed redis lock in a defer with the caller's ctx; when that ctx has been cancelled (cleanup worker shutdown, request timeout) the Unlock fails immediately and the lock stays held until its expiry.
// Fix: the deferred Unlock is called with a context that is not tied to the caller's cancellation (context.Background()).
// Rule: cleanupctx
package statestore

import (
	"bufio"
	"context"
	"fmt"
	"log"
	"net"
	"strings"
	"sync"
	"time"
)

// RedisLocker provides methods to use distributed locks against redis
type RedisLocker interface {
	Lock(ctx context.Context) error
	Unlock(ctx context.Context) (bool, error)
}

// redisPool is a small stand-in for redigo's *redis.Pool.
type redisPool struct {
	addr        string
	dialer      net.Dialer // Timeout set from redis.pool config
	readTimeout time.Duration
}

type redisConn struct {
	c net.Conn
	r *bufio.Reader
}

// GetContext dials redis honouring ctx, like redis.Pool.GetContext.
func (p *redisPool) GetContext(ctx context.Context) (*redisConn, error) {
	if ctx != nil && ctx.Err() != nil {
		return nil, ctx.Err()
	}
	c, err := p.dialer.DialContext(ctx, "tcp", p.addr)
	if err != nil {
		return nil, err
	}
	dl := time.Now().Add(p.readTimeout)
	if cdl, ok := ctx.Deadline(); ok && cdl.Before(dl) {
		dl = cdl
	}
	_ = c.SetDeadline(dl)
	return &redisConn{c: c, r: bufio.NewReader(c)}, nil
}

func (rc *redisConn) Do(args ...string) (string, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	if _, err := rc.c.Write([]byte(b.String())); err != nil {
		return "", err
	}
	line, err := rc.r.ReadString('\n')
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(line), nil
}

func (rc *redisConn) Close() error { return rc.c.Close() }

// mutex is a stand-in for redsync's *Mutex.
type mutex struct {
	pool   *redisPool
	name   string
	value  string
	expiry time.Duration
}

func (m *mutex) LockContext(ctx context.Context) error {
	conn, err := m.pool.GetContext(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	reply, err := conn.Do("SET", m.name, m.value, "NX", "PX", fmt.Sprint(m.expiry.Milliseconds()))
	if err != nil {
		return err
	}
	if reply != "+OK" {
		return fmt.Errorf("lock already taken")
	}
	return nil
}

func (m *mutex) UnlockContext(ctx context.Context) (bool, error) {
	conn, err := m.pool.GetContext(ctx)
	if err != nil {
		return false, err
	}
	defer conn.Close()
	reply, err := conn.Do("EVAL", `if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) else return 0 end`, "1", m.name, m.value)
	if err != nil {
		return false, err
	}
	return reply == ":1", nil
}

type redisBackend struct {
	redisPool *redisPool
	lockTTL   time.Duration
	mutex     *mutex
}

// NewMutex returns a new distributed mutex with given name
func (rb *redisBackend) NewMutex(key string) RedisLocker {
	m := &mutex{pool: rb.redisPool, name: fmt.Sprintf("lock/%s", key), value: fmt.Sprint(time.Now().UnixNano()), expiry: rb.lockTTL}
	return redisBackend{mutex: m}
}

// Lock locks r.
func (rb redisBackend) Lock(ctx context.Context) error {
	return rb.mutex.LockContext(ctx)
}

// Unlock unlocks r and returns the status of unlock.
func (rb redisBackend) Unlock(ctx context.Context) (bool, error) {
	return rb.mutex.UnlockContext(ctx)
}

func (rb *redisBackend) exec(ctx context.Context, args ...string) error {
	conn, err := rb.redisPool.GetContext(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	_, err = conn.Do(args...)
	return err
}

func (rb *redisBackend) DeindexBackfill(ctx context.Context, id string) error {
	return rb.exec(ctx, "HDEL", "allBackfills", id)
}

func (rb *redisBackend) DeleteBackfill(ctx context.Context, id string) error {
	return rb.exec(ctx, "DEL", id)
}

// DeleteBackfillCompletely performs a set of operations to remove backfill and all related entities.
func (rb *redisBackend) DeleteBackfillCompletely(ctx context.Context, id string) error {
	m := rb.NewMutex(id)
	err := m.Lock(ctx)
	if err != nil {
		return err
	}

	defer func() {
		if _, err = m.Unlock(ctx); err != nil {
			log.Printf("error on mutex unlock: %v", err)
		}
	}()

	// 1. deindex backfill
	err = rb.DeindexBackfill(ctx, id)
	if err != nil {
		return err
	}

	// just log errors and try to perform as mush actions as possible

	// 2. delete backfill
	err = rb.DeleteBackfill(ctx, id)
	if err != nil {
		log.Printf("DeleteBackfillCompletely - failed to DeleteBackfill %s: %v", id, err)
	}

	return nil
}

func (rb *redisBackend) cleanupWorker(ctx context.Context, backfillIDsCh <-chan string, wg *sync.WaitGroup) {
	var err error
	for id := range backfillIDsCh {
		err = rb.DeleteBackfillCompletely(ctx, id)
		if err != nil {
			log.Printf("CleanupBackfills %s: %v", id, err)
		}
		wg.Done()
	}
}
