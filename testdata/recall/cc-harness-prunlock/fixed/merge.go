// Recall case cc-harness-prunlock
// Source: github.com/harness/drone commit a892dda8290d387120f728732285a29ba7c6ed4b (app/api/controller/pullreq/merge.go, app/api/controller/pullreq/locks.go)
// Link: https://github.com/harness/drone/commit/a892dda8290d387120f728732285a29ba7c6ed4b
// Bug: Controller.Merge defers mutex.Unlock(ctx) with the request ctx; when the request is cancelled the redis unlock fails immediately and the repo-wide PR lock stays held until it expires.
// Fix: lockPR returns an unlock func that always unlocks with context.WithTimeout(contextutil.WithNewValues(context.Background(), ctx), 30s).
// Rule: cleanupctx
package pullreq

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"strconv"
	"time"
)

// --- stub of the redis-backed lock (lock.RedisMutex over redsync/go-redis) ---

// redisConn mirrors go-redis: fails fast on a done ctx, dials with ctx, and
// bounds every command by min(ctx deadline, read/write timeout of 3s).
type redisClient struct {
	addr         string
	dialTimeout  time.Duration
	readTimeout  time.Duration
	writeTimeout time.Duration
}

func newRedisClient(addr string) *redisClient {
	return &redisClient{addr: addr, dialTimeout: 5 * time.Second, readTimeout: 3 * time.Second, writeTimeout: 3 * time.Second}
}

func (c *redisClient) do(ctx context.Context, args ...string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	d := net.Dialer{Timeout: c.dialTimeout}
	conn, err := d.DialContext(ctx, "tcp", c.addr)
	if err != nil {
		return "", err
	}
	defer conn.Close()

	deadline := time.Now().Add(c.writeTimeout + c.readTimeout)
	if dl, ok := ctx.Deadline(); ok && dl.Before(deadline) {
		deadline = dl
	}
	if err := conn.SetDeadline(deadline); err != nil {
		return "", err
	}

	cmd := "*" + strconv.Itoa(len(args)) + "\r\n"
	for _, a := range args {
		cmd += "$" + strconv.Itoa(len(a)) + "\r\n" + a + "\r\n"
	}
	if _, err := conn.Write([]byte(cmd)); err != nil {
		return "", err
	}
	return bufio.NewReader(conn).ReadString('\n')
}

type Mutex interface {
	Lock(ctx context.Context) error
	Unlock(ctx context.Context) error
}

type RedisMutex struct {
	client *redisClient
	key    string
	value  string
	expiry time.Duration
}

func (l *RedisMutex) Lock(ctx context.Context) error {
	reply, err := l.client.do(ctx, "SET", l.key, l.value, "NX", "PX", strconv.FormatInt(l.expiry.Milliseconds(), 10))
	if err != nil {
		return fmt.Errorf("failed to lock %s: %w", l.key, err)
	}
	if reply != "+OK\r\n" {
		return errors.New("lock already taken")
	}
	return nil
}

func (l *RedisMutex) Unlock(ctx context.Context) error {
	const deleteScript = `if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) else return 0 end`
	_, err := l.client.do(ctx, "EVAL", deleteScript, "1", l.key, l.value)
	if err != nil {
		return fmt.Errorf("failed to unlock %s: %w", l.key, err)
	}
	return nil
}

type MutexManager struct {
	client *redisClient
}

func (m *MutexManager) NewMutex(key string, expiry time.Duration) (Mutex, error) {
	return &RedisMutex{client: m.client, key: "gitness:repo:" + key, value: strconv.FormatInt(time.Now().UnixNano(), 36), expiry: expiry}, nil
}

// --- reduced gitness code ---

type Repository struct {
	ID     int64
	GitUID string
}

type PullReq struct {
	Number int64
	Merged *int64
}

type PullReqStore interface {
	FindByNumber(ctx context.Context, repoID, number int64) (*PullReq, error)
}

type Controller struct {
	mtxManager   *MutexManager
	pullreqStore PullReqStore
}

// WithNewValues creates a new context derived from originalCtx with values from valuesCtx
// (contextutil.WithNewValues, added by the fix).
func WithNewValues(originalCtx context.Context, valuesCtx context.Context) context.Context {
	return &combinedContext{
		Context:   originalCtx,
		valuesCtx: valuesCtx,
	}
}

type combinedContext struct {
	context.Context
	valuesCtx context.Context
}

func (c *combinedContext) Value(key any) any {
	return c.valuesCtx.Value(key)
}

func (c *Controller) lockPR(
	ctx context.Context,
	repoUID string,
	prNum int64,
	expiry time.Duration,
) (func(), error) {
	key := repoUID + "/pulls"
	if prNum != 0 {
		key += "/" + strconv.FormatInt(prNum, 10)
	}

	mutex, err := c.mtxManager.NewMutex(key, expiry)
	if err != nil {
		return nil, fmt.Errorf("failed to create new mutex for pr %d in repo %q: %w", prNum, repoUID, err)
	}
	err = mutex.Lock(ctx)
	if err != nil {
		return nil, fmt.Errorf("failed to lock mutex for pr %d in repo %q: %w", prNum, repoUID, err)
	}

	unlockFn := func() {
		// always unlock independent of whether source context got canceled or not
		ctx, cancel := context.WithTimeout(
			WithNewValues(context.Background(), ctx),
			30*time.Second,
		)
		defer cancel()

		err := mutex.Unlock(ctx)
		if err != nil {
			log.Printf("failed to unlock PR: %v", err)
		}
	}

	return unlockFn, nil
}

// Merge merges a pull request.
func (c *Controller) Merge(ctx context.Context, targetRepo *Repository, pullreqNum int64) (*PullReq, error) {
	// the max time we give a merge to succeed
	const timeout = 3 * time.Minute

	// if two requests for merging comes at the same time then unlock will lock
	// first one and second one will wait, when first one is done then second one
	// continue with latest data from db with state merged and return error that
	// pr is already merged.
	unlock, err := c.lockPR(
		ctx,
		targetRepo.GitUID,
		0,                      // 0 means locks all PRs for this repo
		timeout+30*time.Second, // add 30s to the lock to give enough time for pre + post merge
	)
	if err != nil {
		return nil, err
	}
	defer unlock()

	pr, err := c.pullreqStore.FindByNumber(ctx, targetRepo.ID, pullreqNum)
	if err != nil {
		return nil, fmt.Errorf("failed to get pull request by number: %w", err)
	}

	if pr.Merged != nil {
		return nil, errors.New("Pull request already merged")
	}

	return pr, nil
}
