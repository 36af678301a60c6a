// Recall case sd-beego-session-release
// Source: github.com/beego/beego commit 589a6137078f0bb757bda3a6c4ec1d1bdfcdb11c (server/web/filter/session/filter.go)
// Link: https://github.com/beego/beego/commit/589a6137078f0bb757bda3a6c4ec1d1bdfcdb11c   (PR https://github.com/beego/beego/pull/5880)
// Bug: the Session filter releases the session with sess.SessionRelease(context.Background(), ...) although the request ctx (ctx.Request.Context()) is in scope, so the redis SET done by SessionStore.releaseSession ignores the request's cancellation/deadline.
// Fix: pass ctx.Request.Context() to SessionRelease.
// Rule: sharedeadline
package session

import (
	"bufio"
	"bytes"
	"context"
	"encoding/gob"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// ---- minimal stand-in for github.com/redis/go-redis/v9 (defaults kept: DialTimeout 5s, ReadTimeout 3s) ----

type Options struct {
	Addr         string
	DialTimeout  time.Duration
	ReadTimeout  time.Duration
	WriteTimeout time.Duration
}

type Client struct {
	opt *Options
}

func NewClient(opt *Options) *Client {
	if opt.DialTimeout == 0 {
		opt.DialTimeout = 5 * time.Second
	}
	if opt.ReadTimeout == 0 {
		opt.ReadTimeout = 3 * time.Second
	}
	if opt.WriteTimeout == 0 {
		opt.WriteTimeout = opt.ReadTimeout
	}
	return &Client{opt: opt}
}

// Set runs SET key value EX seconds; ctx bounds the dial like go-redis does.
func (c *Client) Set(ctx context.Context, key string, value interface{}, expiration time.Duration) error {
	return c.process(ctx, "SET", key, fmt.Sprint(value), "EX", strconv.Itoa(int(expiration/time.Second)))
}

// SetXX runs SET key value EX seconds XX.
func (c *Client) SetXX(ctx context.Context, key string, value interface{}, expiration time.Duration) error {
	return c.process(ctx, "SET", key, fmt.Sprint(value), "EX", strconv.Itoa(int(expiration/time.Second)), "XX")
}

// deadline is go-redis' pool.Conn deadline: the timeout from now, or the
// context's deadline when that is earlier.
func deadline(ctx context.Context, timeout time.Duration) time.Time {
	tm := time.Now().Add(timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(tm) {
		return d
	}
	return tm
}

func (c *Client) process(ctx context.Context, args ...string) error {
	dialer := &net.Dialer{Timeout: c.opt.DialTimeout}
	conn, err := dialer.DialContext(ctx, "tcp", c.opt.Addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&buf, "$%d\r\n%s\r\n", len(a), a)
	}
	if err := conn.SetWriteDeadline(deadline(ctx, c.opt.WriteTimeout)); err != nil {
		return err
	}
	if _, err := conn.Write(buf.Bytes()); err != nil {
		return err
	}
	if err := conn.SetReadDeadline(deadline(ctx, c.opt.ReadTimeout)); err != nil {
		return err
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return err
	}
	if len(line) > 0 && line[0] == '-' {
		return errors.New(line[1:])
	}
	return nil
}

// ---- server/web/session (reduced): Store interface + redis provider ----

// Store contains all data for one session process with specific id.
type Store interface {
	SessionID(ctx context.Context) string
	SessionRelease(ctx context.Context, w http.ResponseWriter)
}

// SessionStore redis session store
type SessionStore struct {
	p           *Client
	sid         string
	lock        sync.RWMutex
	values      map[interface{}]interface{}
	maxlifetime int64
}

// SessionID get redis session id
func (rs *SessionStore) SessionID(context.Context) string {
	return rs.sid
}

// SessionRelease save session values to redis
func (rs *SessionStore) SessionRelease(ctx context.Context, w http.ResponseWriter) {
	rs.releaseSession(ctx, w, false)
}

func (rs *SessionStore) releaseSession(ctx context.Context, _ http.ResponseWriter, requirePresent bool) {
	rs.lock.RLock()
	values := rs.values
	rs.lock.RUnlock()
	b, err := EncodeGob(values)
	if err != nil {
		return
	}
	c := rs.p
	if requirePresent {
		c.SetXX(ctx, rs.sid, string(b), time.Duration(rs.maxlifetime)*time.Second)
	} else {
		c.Set(ctx, rs.sid, string(b), time.Duration(rs.maxlifetime)*time.Second)
	}
}

// EncodeGob encode the obj to gob
func EncodeGob(obj map[interface{}]interface{}) ([]byte, error) {
	buf := bytes.NewBuffer(nil)
	enc := gob.NewEncoder(buf)
	if err := enc.Encode(obj); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Manager contains Provider and its configuration (reduced to the redis provider).
type Manager struct {
	client      *Client
	cookieName  string
	maxlifetime int64
}

// NewManager creates a session manager backed by redis.
func NewManager(addr string) *Manager {
	return &Manager{client: NewClient(&Options{Addr: addr}), cookieName: "beegosessionID", maxlifetime: 3600}
}

// SessionStart generate or read the session id from http request.
func (manager *Manager) SessionStart(w http.ResponseWriter, r *http.Request) (Store, error) {
	sid := ""
	if c, err := r.Cookie(manager.cookieName); err == nil {
		sid = c.Value
	}
	if sid == "" {
		sid = strconv.FormatInt(time.Now().UnixNano(), 36)
		http.SetCookie(w, &http.Cookie{Name: manager.cookieName, Value: sid, Path: "/", HttpOnly: true})
	}
	return &SessionStore{p: manager.client, sid: sid, values: make(map[interface{}]interface{}), maxlifetime: manager.maxlifetime}, nil
}

// ---- server/web/context + server/web (reduced) ----

// BeegoInput holds the per-request session.
type BeegoInput struct {
	CruSession Store
}

// Context is beego's per-request context.
type Context struct {
	Input          *BeegoInput
	Request        *http.Request
	ResponseWriter http.ResponseWriter
}

// FilterFunc defines a filter function which is invoked before the controller handler is executed.
type FilterFunc func(ctx *Context)

// FilterChain is different from FilterFunc that it can be used to build a chain of filters.
type FilterChain func(next FilterFunc) FilterFunc

// ---- server/web/filter/session/filter.go ----

// Session maintain session for web service
// Session new a session storage and store it into webContext.Context
func Session(addr string) FilterChain {
	sessionManager := NewManager(addr)

	return func(next FilterFunc) FilterFunc {
		return func(ctx *Context) {
			if ctx.Input.CruSession != nil {
				return
			}

			if sess, err := sessionManager.SessionStart(ctx.ResponseWriter, ctx.Request); err != nil {
				log.Printf(`init session error:%s`, err.Error())
			} else {
				// release session at the end of request
				defer sess.SessionRelease(context.Background(), ctx.ResponseWriter)
				ctx.Input.CruSession = sess
			}

			next(ctx)
		}
	}
}
