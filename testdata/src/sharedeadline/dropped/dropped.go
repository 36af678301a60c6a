// Package dropped: roots made where the caller's context is in scope and
// reaching waits nothing else bounds. The wait has no deadline, and the
// caller's deadline and cancellation stop at the root: one finding, here.
package dropped

import (
	"context"
	"database/sql"
	"net/http"
)

func exec(ctx context.Context, db *sql.DB) {
	db.ExecContext(context.Background(), "DELETE FROM t") // want `context.Background\(\) drops ctx's deadline and cancellation: \(\*sql.DB\).ExecContext waits under it with no other deadline, which then runs on after the caller gave up; pass ctx`
}

func fetch(ctx context.Context, url string) {
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	http.DefaultClient.Do(req) // want `http.NewRequest binds the request to context.Background\(\), which drops ctx's deadline and cancellation: \(\*http.Client\).Do waits under it with no other deadline`
}

func proxy(w http.ResponseWriter, r *http.Request) {
	req, _ := http.NewRequest(http.MethodGet, "http://backend/", nil)
	http.DefaultClient.Do(req) // want `build it with http.NewRequestWithContext\(r.Context\(\), …\)`
}

type api struct{ client *http.Client }

func newAPI() *api { return &api{client: &http.Client{}} }

func (a *api) do(req *http.Request) (*http.Response, error) { return a.client.Do(req) }

// The request goes to a helper that sends it.
func (a *api) post(ctx context.Context, url string) error {
	req, err := http.NewRequest(http.MethodPost, url, nil)
	if err != nil {
		return err
	}
	resp, err := a.do(req) // want `http.NewRequest binds the request to context.Background\(\), which drops ctx's deadline and cancellation: \(\*dropped.api\).do reaches \(\*http.Client\).Do with no other deadline`
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// One root, several waits: one finding.
func migrate(ctx context.Context, db *sql.DB) error {
	c := context.TODO()
	tx, err := db.BeginTx(c, nil) // want `context.TODO\(\) drops ctx's deadline and cancellation: \(\*sql.DB\).BeginTx waits under it`
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(c, "CREATE TABLE a (x int)"); err != nil {
		return err
	}
	return tx.Commit()
}

// Generic code too.
func First[T any](ctx context.Context, db *sql.DB, scan func(*sql.Rows) T) (T, error) {
	var zero T
	rows, err := db.QueryContext(context.TODO(), "SELECT 1") // want `context.TODO\(\) drops ctx's deadline and cancellation: \(\*sql.DB\).QueryContext waits under it`
	if err != nil {
		return zero, err
	}
	defer rows.Close()
	if !rows.Next() {
		return zero, rows.Err()
	}
	return scan(rows), nil
}

// --- not reported here (nodeadline's: no caller's context to drop) ---

func noContext(db *sql.DB) {
	db.ExecContext(context.Background(), "DELETE FROM t")
}

// outgoing copies a request under the context it is given.
func outgoing(ctx context.Context, original *http.Request) *http.Request {
	r := original.Clone(ctx)
	r.RequestURI = ""
	return r
}

// The copy is made under a root although the incoming request's context is
// in scope (tekton's interceptor call).
func (a *api) intercept(in *http.Request) error {
	out := outgoing(context.Background(), in)
	resp, err := a.do(out) // want `context.Background\(\) drops in.Context\(\)'s deadline and cancellation: \(\*dropped.api\).do reaches \(\*http.Client\).Do`
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

func (a *api) interceptFixed(in *http.Request) error {
	out := outgoing(in.Context(), in)
	resp, err := a.do(out)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}
