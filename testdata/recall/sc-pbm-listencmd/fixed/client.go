// Recall case sc-pbm-listencmd
// Source: github.com/percona/percona-backup-mongodb commit 1b2a8ba866cd54c36c84580b2031de49d73757c2 (pbm/ctrl/recv.go)
// Link: https://github.com/percona/percona-backup-mongodb/commit/1b2a8ba866cd54c36c84580b2031de49d73757c2
// Bug: ListenCmd's watch loop only stops when the Find error is context.Canceled; any other context error (e.g. DeadlineExceeded) is reported and the query is retried in a loop forever, and the loop never checks ctx itself.
// Fix: the loop selects on ctx.Done() at the top, sends ctx.Err() on the error channel and returns, instead of retrying.
// Rule: swallowcancel
package ctrl

// Stand-in for connect.Client and the mongo cmd-stream collection, backed by
// database/sql: Find runs a real query with the given ctx.

import (
	"context"
	"database/sql"
)

type Command string

type Cmd struct {
	Cmd  Command
	TS   int64
	OPID string
}

type Client interface {
	CmdStreamCollection() Collection
}

type Collection interface {
	Find(ctx context.Context, sinceTS int64) (Cursor, error)
}

type Cursor interface {
	Next(ctx context.Context) bool
	Decode(v *Cmd) error
	Err() error
	Close(ctx context.Context) error
}

type sqlClient struct {
	db *sql.DB
}

func NewClient(db *sql.DB) Client { return &sqlClient{db: db} }

func (c *sqlClient) CmdStreamCollection() Collection { return &sqlCollection{db: c.db} }

type sqlCollection struct {
	db *sql.DB
}

func (c *sqlCollection) Find(ctx context.Context, sinceTS int64) (Cursor, error) {
	rows, err := c.db.QueryContext(ctx, "SELECT id, cmd, ts FROM cmd_stream WHERE ts >= ?", sinceTS)
	if err != nil {
		return nil, err
	}
	return &sqlCursor{rows: rows}, nil
}

type sqlCursor struct {
	rows *sql.Rows
}

func (c *sqlCursor) Next(ctx context.Context) bool { return c.rows.Next() }

func (c *sqlCursor) Decode(v *Cmd) error {
	var cmd string
	if err := c.rows.Scan(&v.OPID, &cmd, &v.TS); err != nil {
		return err
	}
	v.Cmd = Command(cmd)
	return nil
}

func (c *sqlCursor) Err() error { return c.rows.Err() }

func (c *sqlCursor) Close(ctx context.Context) error { return c.rows.Close() }
