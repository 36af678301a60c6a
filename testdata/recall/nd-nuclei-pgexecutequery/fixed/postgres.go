// Recall case nd-nuclei-pgexecutequery
// Source: github.com/projectdiscovery/nuclei commit 3537030e1fd68ba02d26b8eb9768c9dfdcf69890 (pkg/js/libs/postgres/postgres.go, pkg/js/libs/postgres/memo.postgres.go)
// Link: https://github.com/projectdiscovery/nuclei/commit/3537030e1fd68ba02d26b8eb9768c9dfdcf69890
// Bug: PGClient.ExecuteQuery receives the JS execution ctx (which carries a 20s deadline) but the memoized executeQuery helper drops it: the fingerprint dial uses context.TODO() and the query runs with db.Query, so a stalled server hangs the goroutine forever.
// Fix: ctx is threaded through the memoized wrappers into isPostgres/executeQuery, the dial uses ctx and the query uses db.QueryContext(ctx, ...).
// Rule: nodeadline
package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"
)

// PGWrapDriver is the name of the wrapped postgres driver (pgwrap upstream).
const PGWrapDriver = "pgwrap"

// SQLResult is the result of a query (utils.SQLResult upstream).
type SQLResult struct {
	Count   int
	Columns []string
}

// UnmarshalSQLRows reads all rows (utils.UnmarshalSQLRows upstream).
func UnmarshalSQLRows(rows *sql.Rows) (*SQLResult, error) {
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	res := &SQLResult{Columns: cols}
	for rows.Next() {
		res.Count++
	}
	return res, rows.Err()
}

// fastdialer stands in for projectdiscovery/fastdialer.
type fastdialer struct{ d net.Dialer }

func (f *fastdialer) Dial(ctx context.Context, network, address string) (net.Conn, error) {
	return f.d.DialContext(ctx, network, address)
}

var dialers sync.Map // executionId -> *fastdialer

func getDialersWithId(executionId string) *fastdialer {
	v, ok := dialers.Load(executionId)
	if !ok {
		return nil
	}
	return v.(*fastdialer)
}

// memoizer stands in for protocolstate.Memoizer.
type memoizer struct {
	mu    sync.Mutex
	cache map[string]any
}

func (m *memoizer) Do(key string, fn func() (any, error)) (any, error, bool) {
	m.mu.Lock()
	if v, ok := m.cache[key]; ok {
		m.mu.Unlock()
		return v, nil, true
	}
	m.mu.Unlock()
	v, err := fn()
	if err == nil {
		m.mu.Lock()
		m.cache[key] = v
		m.mu.Unlock()
	}
	return v, err, false
}

var Memoizer = &memoizer{cache: map[string]any{}}

type PGClient struct{}

// IsPostgres checks if the given host and port are running Postgres database.
func (c *PGClient) IsPostgres(ctx context.Context, host string, port int) (bool, error) {
	executionId := ctx.Value("executionId").(string)
	return memoizedisPostgres(ctx, executionId, host, port)
}

// @memo
func isPostgres(ctx context.Context, executionId string, host string, port int) (bool, error) {
	timeout := 10 * time.Second

	dialer := getDialersWithId(executionId)
	if dialer == nil {
		return false, fmt.Errorf("dialers not initialized for %s", executionId)
	}

	conn, err := dialer.Dial(ctx, "tcp", fmt.Sprintf("%s:%d", host, port))
	if err != nil {
		return false, err
	}
	defer func() {
		_ = conn.Close()
	}()

	_ = conn.SetDeadline(time.Now().Add(timeout))

	// SSLRequest probe (fingerprintx POSTGRESPlugin upstream)
	if _, err := conn.Write([]byte{0, 0, 0, 8, 4, 210, 22, 47}); err != nil {
		return false, err
	}
	buf := make([]byte, 1)
	if _, err := conn.Read(buf); err != nil {
		return false, err
	}
	return buf[0] == 'S' || buf[0] == 'N', nil
}

// ExecuteQuery connects to Postgres database using given credentials and database name
// and executes a query on the db.
func (c *PGClient) ExecuteQuery(ctx context.Context, host string, port int, username string, password string, dbName string, query string) (*SQLResult, error) {
	ok, err := c.IsPostgres(ctx, host, port)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("not a postgres service")
	}

	executionId := ctx.Value("executionId").(string)

	return memoizedexecuteQuery(ctx, executionId, host, port, username, password, dbName, query)
}

// @memo
func executeQuery(ctx context.Context, executionId string, host string, port int, username string, password string, dbName string, query string) (*SQLResult, error) {
	target := net.JoinHostPort(host, fmt.Sprintf("%d", port))

	connStr := fmt.Sprintf("postgres://%s:%s@%s/%s?sslmode=disable&executionId=%s", username, password, target, dbName, executionId)
	db, err := sql.Open(PGWrapDriver, connStr)
	if err != nil {
		return nil, err
	}
	defer func() {
		_ = db.Close()
	}()

	rows, err := db.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	resp, err := UnmarshalSQLRows(rows)
	if err != nil {
		return nil, err
	}
	return resp, nil
}

// Warning - This is generated code (memo.postgres.go upstream)

func memoizedisPostgres(ctx context.Context, executionId string, host string, port int) (bool, error) {
	hash := "isPostgres" + ":" + fmt.Sprint(executionId) + ":" + fmt.Sprint(host) + ":" + fmt.Sprint(port)

	v, err, _ := Memoizer.Do(hash, func() (interface{}, error) {
		return isPostgres(ctx, executionId, host, port)
	})
	if err != nil {
		return false, err
	}
	if value, ok := v.(bool); ok {
		return value, nil
	}
	return false, errors.New("could not convert cached result")
}

func memoizedexecuteQuery(ctx context.Context, executionId string, host string, port int, username string, password string, dbName string, query string) (*SQLResult, error) {
	hash := "executeQuery" + ":" + fmt.Sprint(executionId) + ":" + fmt.Sprint(host) + ":" + fmt.Sprint(port) + ":" + fmt.Sprint(username) + ":" + fmt.Sprint(password) + ":" + fmt.Sprint(dbName) + ":" + fmt.Sprint(query)

	v, err, _ := Memoizer.Do(hash, func() (interface{}, error) {
		return executeQuery(ctx, executionId, host, port, username, password, dbName, query)
	})
	if err != nil {
		return nil, err
	}
	if value, ok := v.(*SQLResult); ok {
		return value, nil
	}
	return nil, errors.New("could not convert cached result")
}
