package dropped

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"net"
	"net/http"
)

// upgrade takes the connection over from the server (a websocket upgrader).
func upgrade(w http.ResponseWriter) (net.Conn, *bufio.ReadWriter, error) {
	h, ok := w.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("cannot hijack")
	}
	return h.Hijack()
}

// After the hijack the request's context no longer ends when the client
// goes away: a session of its own is no dropped context (cli's mock relay).
func session(db *sql.DB) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		conn, _, err := upgrade(w)
		if err != nil {
			return
		}
		defer conn.Close()
		db.ExecContext(ctx, "UPDATE sessions SET open = true")
	}
}
