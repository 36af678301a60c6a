// Recall case nd-libsql-callsqld-ctx
// Source: github.com/tursodatabase/libsql-client-go commit 2364d0b6e3b2d272d80e4536d7326381d85c8ee7 (libsql/internal/http/http.go)
// Link: https://github.com/tursodatabase/libsql-client-go/pull/15
// Bug: conn.ExecContext/QueryContext receive ctx but call the helper callSqld, which ignores it and does http.Post on the default client, so a stuck sqld server hangs every query forever.
// Fix: callSqld takes ctx and builds the POST with http.NewRequestWithContext(ctx, ...); ExecContext/QueryContext pass ctx down.
// Rule: nodeadline
package libsqlhttp

import (
	"bytes"
	"context"
	"database/sql/driver"
	"encoding/json"
	"io"
	"net/http"
)

type params struct {
	Names  []string
	Values []any
}

type resultSet struct {
	Columns []string `json:"columns"`
}

type conn struct {
	url string
}

func convertArgs(args []driver.NamedValue) params {
	var p params
	for _, a := range args {
		p.Names, p.Values = append(p.Names, a.Name), append(p.Values, a.Value)
	}
	return p
}

func callSqld(url string, sql string, sqlParams params) (*resultSet, error) {
	type Statement struct {
		Query  string `json:"q"`
		Params params `json:"params"`
	}
	rawReq := struct {
		Statements []Statement `json:"statements"`
	}{Statements: []Statement{{sql, sqlParams}}}

	req, err := json.Marshal(rawReq)
	if err != nil {
		return nil, err
	}
	resp, err := http.Post(url, "application/json", bytes.NewReader(req))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	var rs resultSet
	err = json.Unmarshal(body, &rs)
	return &rs, err
}

func (c *conn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	_, err := callSqld(c.url, query, convertArgs(args))
	return driver.ResultNoRows, err
}

func (c *conn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (*resultSet, error) {
	return callSqld(c.url, query, convertArgs(args))
}
