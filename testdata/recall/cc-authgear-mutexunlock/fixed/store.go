// Recall case cc-authgear-mutexunlock
// Source: github.com/authgear/authgear-server commit 39767f03f2b045aa5bc2140d4dbb2155f832ab27 (pkg/lib/oauth/redis/store.go, pkg/lib/infra/redis/handle.go)
// Link: https://github.com/authgear/authgear-server/commit/39767f03f2b045aa5bc2140d4dbb2155f832ab27
// Bug: UpdateOfflineGrantWithMutator releases the Redis mutex in a defer with the request ctx; when the request is cancelled (client disconnect) the deferred UnlockContext fails immediately and the lock stays held until its TTL expires.
// Fix: Lock/unlock moved into Handle.WithMutex, which unlocks with context.WithoutCancel(ctx) so the release runs even after cancellation.
// Rule: cleanupctx
package redis

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"
)

// ---- minimal Redis connection (stand-in for go-redis / redsync) ----

type Handle struct {
	Addr string
}

func (h *Handle) do(ctx context.Context, args ...string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", h.Addr)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	if _, err := conn.Write([]byte(b.String())); err != nil {
		return "", err
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		return "", err
	}
	if strings.HasPrefix(line, "-") {
		return "", errors.New(strings.TrimSpace(line[1:]))
	}
	return strings.TrimSpace(line), nil
}

// Mutex mirrors redsync.Mutex.
type Mutex struct {
	h      *Handle
	name   string
	value  string
	expiry time.Duration
}

func (h *Handle) NewMutex(name string) *Mutex {
	return &Mutex{h: h, name: name, value: fmt.Sprint(time.Now().UnixNano()), expiry: 5 * time.Second}
}

func (m *Mutex) LockContext(ctx context.Context) error {
	reply, err := m.h.do(ctx, "SET", m.name, m.value, "NX", "PX", fmt.Sprint(m.expiry.Milliseconds()))
	if err != nil {
		return err
	}
	if reply != "+OK" {
		return errors.New("redsync: failed to acquire lock")
	}
	return nil
}

func (m *Mutex) UnlockContext(ctx context.Context) (bool, error) {
	const script = `if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) else return 0 end`
	reply, err := m.h.do(ctx, "EVAL", script, "1", m.name, m.value)
	if err != nil {
		return false, err
	}
	return reply == ":1", nil
}

func (h *Handle) WithMutex(ctx context.Context, name string, do func() error) error {
	mutex := h.NewMutex(name)
	if err := mutex.LockContext(ctx); err != nil {
		return err
	}
	unlockCtx := context.WithoutCancel(ctx)
	defer func() {
		_, _ = mutex.UnlockContext(unlockCtx)
	}()
	return do()
}

// ---- store ----

type OfflineGrant struct {
	ID                         string    `json:"id"`
	AppID                      string    `json:"app_id"`
	ExpireAtForResolvedSession time.Time `json:"expire_at"`
}

type Store struct {
	Redis *Handle
	AppID string
}

func offlineGrantMutexName(appID string, grantID string) string {
	return fmt.Sprintf("app:%s:offline-grant-mutex:%s", appID, grantID)
}

func offlineGrantKey(appID string, grantID string) string {
	return fmt.Sprintf("app:%s:offline-grant:%s", appID, grantID)
}

func (s *Store) GetOfflineGrantWithoutExpireAt(ctx context.Context, id string) (*OfflineGrant, error) {
	if _, err := s.Redis.do(ctx, "GET", offlineGrantKey(s.AppID, id)); err != nil {
		return nil, err
	}
	return &OfflineGrant{ID: id, AppID: s.AppID}, nil
}

func (s *Store) updateOfflineGrant(ctx context.Context, grant *OfflineGrant, expireAt time.Time) error {
	grant.ExpireAtForResolvedSession = expireAt
	data, err := json.Marshal(grant)
	if err != nil {
		return err
	}
	_, err = s.Redis.do(ctx, "SET", offlineGrantKey(grant.AppID, grant.ID), string(data), "PXAT", fmt.Sprint(expireAt.UnixMilli()))
	return err
}

func (s *Store) UpdateOfflineGrantWithMutator(ctx context.Context, grantID string, expireAt time.Time, mutator func(*OfflineGrant) *OfflineGrant) (*OfflineGrant, error) {
	mutexName := offlineGrantMutexName(s.AppID, grantID)
	var result *OfflineGrant
	err := s.Redis.WithMutex(ctx, mutexName, func() error {
		grant, err := s.GetOfflineGrantWithoutExpireAt(ctx, grantID)
		if err != nil {
			return err
		}
		grant = mutator(grant)
		if err = s.updateOfflineGrant(ctx, grant, expireAt); err != nil {
			return err
		}
		result = grant
		return nil
	})
	return result, err
}
