// Recall case nd-libsql-ws-exec-ctx
// Source: github.com/tursodatabase/libsql-client-go commit 72a49d71e3d947fc32a817654e6983b8198ada8c (libsql/internal/ws/websockets.go)
// Link: https://github.com/tursodatabase/libsql-client-go/pull/16
// Bug: connect() dials the websocket with context.TODO() and websocketConn.exec builds its own context.TODO() instead of using the caller's ctx, so the dial and every request/response read can block forever.
// Fix: exec takes ctx from conn.ExecContext/QueryContext, and connect() uses context.WithTimeout(context.Background(), defaultConnTimeout).
// Rule: nodeadline
package libsqlws

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"net"
)

// wsConn stands in for nhooyr.io/websocket.Conn: each operation is bounded only by its ctx.
type wsConn struct{ nc net.Conn }

func wsDial(ctx context.Context, addr string) (*wsConn, error) {
	var d net.Dialer
	nc, err := d.DialContext(ctx, "tcp", addr)
	return &wsConn{nc}, err
}

func wsjsonWrite(ctx context.Context, c *wsConn, v interface{}) error {
	if dl, ok := ctx.Deadline(); ok {
		c.nc.SetWriteDeadline(dl)
	}
	return json.NewEncoder(c.nc).Encode(v)
}

func wsjsonRead(ctx context.Context, c *wsConn, v interface{}) error {
	if dl, ok := ctx.Deadline(); ok {
		c.nc.SetReadDeadline(dl)
	}
	return json.NewDecoder(c.nc).Decode(v)
}

type websocketConn struct{ conn *wsConn }

func (ws *websocketConn) exec(sql string, wantRows bool) (interface{}, error) {
	ctx := context.TODO()
	err := wsjsonWrite(ctx, ws.conn, map[string]interface{}{"type": "execute", "sql": sql, "want_rows": wantRows})
	if err != nil {
		return nil, err
	}
	var resp interface{}
	if err = wsjsonRead(ctx, ws.conn, &resp); err != nil {
		return nil, err
	}
	return resp, nil
}

func connect(url string, jwt string) (*websocketConn, error) {
	ctx := context.TODO()
	c, err := wsDial(ctx, url)
	if err != nil {
		return nil, err
	}
	if err = wsjsonWrite(ctx, c, map[string]interface{}{"type": "hello", "jwt": jwt}); err != nil {
		return nil, err
	}
	return &websocketConn{c}, nil
}

type conn struct{ ws *websocketConn }

func (c *conn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	_, err := c.ws.exec(query, false)
	return driver.ResultNoRows, err
}

func (c *conn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (interface{}, error) {
	return c.ws.exec(query, true)
}
