// Recall case sc-mysql-txcommit
// Source: github.com/go-sql-driver/mysql commit 7da50ff71ba333796e05c76b8fd134a7e6240d06 (transaction.go)
// Link: https://github.com/go-sql-driver/mysql/commit/7da50ff71ba333796e05c76b8fd134a7e6240d06
// Bug: when a transaction's ExecContext is cancelled, the watcher stores ctx.Err() in mc.canceled and closes the connection, but mysqlTx.Commit/Rollback then return the generic ErrInvalidConn, so callers cannot see context.Canceled/DeadlineExceeded.
// Fix: Commit/Rollback on a closed connection return the connection's cached error (mc.error(), i.e. the context error) and only fall back to ErrInvalidConn.
// Rule: swallowcancel
package mysql

type mysqlTx struct {
	mc *mysqlConn
}

func (tx *mysqlTx) Commit() (err error) {
	if tx.mc == nil || tx.mc.closed.Load() {
		return ErrInvalidConn
	}
	err = tx.mc.exec("COMMIT")
	tx.mc = nil
	return
}

func (tx *mysqlTx) Rollback() (err error) {
	if tx.mc == nil || tx.mc.closed.Load() {
		return ErrInvalidConn
	}
	err = tx.mc.exec("ROLLBACK")
	tx.mc = nil
	return
}
