package forms // want package:"imports database/sql"

// An API that offers context-free forms of its calls beside their
// context-taking twins (sqlx's Connect and ConnectContext). A form whose
// wait nothing bounds carries a Deferred summary: its callers are told to
// use the twin.

import (
	"context"
	"database/sql"
	"net/http"
	"time"
)

type DB struct{ *sql.DB }

// Connect opens a database and pings it without a context: the ping has
// no deadline, ConnectContext is the form to call.
func Connect(driver, dsn string) (*DB, error) { // want Connect:"^waits in \\(\\*sql.DB\\).Ping with no context; context-free form: waits in \\(\\*sql.DB\\).Ping with no bound; its context form is ConnectContext$"
	db, err := sql.Open(driver, dsn)
	if err != nil {
		return nil, err
	}
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, err
	}
	return &DB{db}, nil
}

func ConnectContext(ctx context.Context, driver, dsn string) (*DB, error) { // want ConnectContext:"ctx reaches \\(\\*sql.DB\\).PingContext"
	db, err := sql.Open(driver, dsn)
	if err != nil {
		return nil, err
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return &DB{db}, nil
}

// MustConnect has no twin (ConnectContext returns an error too): it is no
// form of another call, so its call of Connect is judged inside it.
func MustConnect(driver, dsn string) *DB { // want MustConnect:"^waits in \\(\\*sql.DB\\).Ping via forms.Connect with no context$"
	db, err := Connect(driver, dsn)
	if err != nil {
		panic(err)
	}
	return db
}

type Client struct{ hc *http.Client }

func New() *Client { return &Client{hc: &http.Client{}} }

// Get forwards to its context form with a root: the client has no
// Timeout, so nothing bounds the request.
func (c *Client) Get(url string) (*http.Response, error) { // want Get:"context-free form: waits in \\(\\*http.Client\\).Do via \\(\\*forms.Client\\).GetContext with no bound; its context form is GetContext$"
	return c.GetContext(context.Background(), url)
}

func (c *Client) GetContext(ctx context.Context, url string) (*http.Response, error) { // want GetContext:"ctx reaches \\(\\*http.Client\\).Do"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	return c.hc.Do(req)
}

type TimedClient struct{ hc *http.Client }

func NewTimed() *TimedClient { return &TimedClient{hc: &http.Client{Timeout: 10 * time.Second}} }

// Get's client has a constant Timeout: the form's wait is bounded (no
// Deferred), and a bare root given to a wait its receiver bounds is no
// Root either: the receiver's bound is the one its author chose.
func (c *TimedClient) Get(url string) (*http.Response, error) {
	return c.GetContext(context.Background(), url)
}

func (c *TimedClient) GetContext(ctx context.Context, url string) (*http.Response, error) { // want GetContext:"^ctx reaches \\(\\*http.Client\\).Do \\(bounded by its receiver\\); returns the cancellation of param 0$"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	return c.hc.Do(req)
}

// Poll has no twin: it is no form of another call, and its wait is
// reported inside it, not at its callers.
func Poll(url string) error { // want Poll:"^starts context.Background\\(\\), which reaches"
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

type nsKey struct{}

// WithNamespace decorates the caller's context with a value: a context it
// returns is the caller's (containerd's namespaces.WithNamespace).
func WithNamespace(ctx context.Context, ns string) context.Context { // want WithNamespace:"^returns the context of param 0$"
	if ns == "" {
		return ctx
	}
	return context.WithValue(ctx, nsKey{}, ns)
}

// Detach returns a context of its own: no pass-through.
func Detach(ctx context.Context) context.Context {
	return context.WithoutCancel(ctx)
}

// Future is the result of work running elsewhere.
type Future struct {
	ch  chan int
	val int
}

// Wait returns early, without a word, once ctx is done.
func (f *Future) Wait(ctx context.Context) { // want Wait:"^returns silently once param 0 is done$"
	select {
	case <-ctx.Done():
		return
	case v := <-f.ch:
		f.val = v
	}
}

// WaitValue says it: its result is zero when ctx is done first.
func (f *Future) WaitValue(ctx context.Context) (int, bool) {
	select {
	case <-ctx.Done():
		return 0, false
	case v := <-f.ch:
		return v, true
	}
}
