package fixes

import (
	"context"
	"crypto/tls"
	"database/sql"
	"net"
	"net/http"
)

func query(ctx context.Context, db *sql.DB) error {
	rows, err := db.Query("SELECT 1") // want `use QueryContext\(ctx, …\)`
	if err != nil {
		return err
	}
	return rows.Close()
}

func exec(ctx context.Context, tx *sql.Tx, id int) {
	tx.Exec("DELETE FROM t WHERE id = $1", id) // want `use ExecContext\(ctx, …\)`
}

func begin(ctx context.Context, db *sql.DB) {
	db.Begin() // want `use BeginTx\(ctx, nil\)`
}

func background(ctx context.Context, db *sql.DB) {
	db.PingContext(context.Background()) // want `context.Background\(\) reaches \(\*sql.DB\).PingContext`
}

func request(w http.ResponseWriter, r *http.Request) {
	req, _ := http.NewRequest(http.MethodGet, "http://backend/", nil)
	http.DefaultClient.Do(req) // want `http.NewRequestWithContext\(r.Context\(\), …\)`
}

func dial(ctx context.Context, addr string) {
	var d net.Dialer
	d.Dial("tcp", addr) // want `use DialContext\(ctx, …\)`
}

func handshake(ctx context.Context, c *tls.Conn) {
	c.Handshake() // want `use HandshakeContext\(ctx, …\)`
}

func noContextInScope(db *sql.DB) {
	db.Ping() // want `use PingContext\(ctx, …\)`
}

// One root, several waits: one finding (the others are related
// information), one fix for all of them.
func migrate(ctx context.Context, db *sql.DB) error {
	c := context.Background()
	tx, err := db.BeginTx(c, nil) // want `context.Background\(\) reaches \(\*sql.DB\).BeginTx: the query has no deadline; pass ctx \(or derive from it with context.WithTimeout\) \(the same context reaches 2 more waits here: see related\)`
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(c, "CREATE TABLE a (x int)"); err != nil {
		return err
	}
	if _, err := tx.ExecContext(c, "CREATE TABLE b (x int)"); err != nil {
		return err
	}
	return tx.Commit()
}
