// Recall case nd-libsql-stmt-exec-todo
// Source: github.com/tursodatabase/libsql-client-go commit d1bbfc2a05e7ba2e78d853f2bed350ced9042ab8 (libsql/internal/ws/driver.go)
// Link: https://github.com/tursodatabase/libsql-client-go/pull/16
// Bug: the prepared-statement methods stmt.Exec/stmt.Query (driver.Stmt, no ctx) call conn.ExecContext/QueryContext with context.TODO(), so the websocket write/read done by ws.exec has no deadline and can hang forever.
// Fix: stmt.Exec/Query create context.WithTimeout(context.Background(), defaultWSTimeout) and pass it down.
// Rule: nodeadline
package libsqlstmt

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"net"
	"time"
)

// defaultWSTimeout specifies the timeout used for initial http connection and
// the subsequent websocket read/write operations
var defaultWSTimeout = 120 * time.Second

// websocketConn stands in for the nhooyr.io/websocket connection: I/O is bounded only by ctx.
type websocketConn struct{ nc net.Conn }

func (ws *websocketConn) exec(ctx context.Context, sql string, wantRows bool) (interface{}, error) {
	if dl, ok := ctx.Deadline(); ok {
		ws.nc.SetDeadline(dl)
	}
	if err := json.NewEncoder(ws.nc).Encode(map[string]interface{}{"sql": sql, "want_rows": wantRows}); err != nil {
		return nil, err
	}
	var resp interface{}
	err := json.NewDecoder(ws.nc).Decode(&resp)
	return resp, err
}

type conn struct{ ws *websocketConn }

func (c *conn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	_, err := c.ws.exec(ctx, query, false)
	return driver.ResultNoRows, err
}

func (c *conn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (interface{}, error) {
	return c.ws.exec(ctx, query, true)
}

type stmt struct {
	c     *conn
	query string
}

func convertToNamed(args []driver.Value) []driver.NamedValue {
	result := []driver.NamedValue{}
	for idx := range args {
		result = append(result, driver.NamedValue{Ordinal: idx, Value: args[idx]})
	}
	return result
}

func (s stmt) Exec(args []driver.Value) (driver.Result, error) {
	ctx, cancel := context.WithTimeout(context.Background(), defaultWSTimeout)
	defer cancel()
	return s.c.ExecContext(ctx, s.query, convertToNamed(args))
}

func (s stmt) Query(args []driver.Value) (interface{}, error) {
	ctx, cancel := context.WithTimeout(context.Background(), defaultWSTimeout)
	defer cancel()
	return s.c.QueryContext(ctx, s.query, convertToNamed(args))
}
