// Recall case cc-gopg-rollback
// Source: github.com/go-pg/pg commit e48dfb7693901550d066af2d96cfe9826a2bed9e (tx.go)
// Link: https://github.com/go-pg/pg/pull/1814
// Bug: RunInTransaction rolls back with the same ctx whose timeout/cancel made fn fail, so RollbackContext's ROLLBACK write gets an already-expired conn deadline and fails, leaving the transaction open on the server.
// Fix: CommitContext/RollbackContext wrap ctx in internal.UndoContext (values kept, Deadline/Done/Err removed) so the statement runs under the connection's own read/write timeouts.
// Rule: cleanupctx
package pg

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// ErrTxDone is returned by any operation that is performed on a transaction
// that has already been committed or rolled back.
var ErrTxDone = errors.New("pg: transaction has already been committed or rolled back")

var errPoolClosed = errors.New("pg: database is closed")

var Logger = log.Default()

// Options are the connection options; timeouts default to non-zero values.
type Options struct {
	Addr         string
	DialTimeout  time.Duration
	ReadTimeout  time.Duration
	WriteTimeout time.Duration
}

func (opt *Options) init() {
	if opt.DialTimeout == 0 {
		opt.DialTimeout = 5 * time.Second
	}
	if opt.ReadTimeout == 0 {
		opt.ReadTimeout = 30 * time.Second
	}
	if opt.WriteTimeout == 0 {
		opt.WriteTimeout = 30 * time.Second
	}
}

// --- internal/context.go ---

type UndoneContext struct {
	context.Context
}

func UndoContext(ctx context.Context) UndoneContext {
	return UndoneContext{Context: ctx}
}

func (UndoneContext) Deadline() (deadline time.Time, ok bool) {
	return time.Time{}, false
}

func (UndoneContext) Done() <-chan struct{} {
	return nil
}

func (UndoneContext) Err() error {
	return nil
}

// --- internal/pool ---

var noDeadline = time.Time{}

type Conn struct {
	netConn net.Conn
	rd      *bufio.Reader
	usedAt  atomic.Int64
}

func (cn *Conn) SetUsedAt(tm time.Time) { cn.usedAt.Store(tm.Unix()) }

func (cn *Conn) WithReader(ctx context.Context, timeout time.Duration, fn func(rd *bufio.Reader) error) error {
	if err := cn.netConn.SetReadDeadline(cn.deadline(ctx, timeout)); err != nil {
		return err
	}
	return fn(cn.rd)
}

func (cn *Conn) WriteBuffer(ctx context.Context, timeout time.Duration, wb []byte) error {
	if err := cn.netConn.SetWriteDeadline(cn.deadline(ctx, timeout)); err != nil {
		return err
	}
	_, err := cn.netConn.Write(wb)
	return err
}

func (cn *Conn) deadline(ctx context.Context, timeout time.Duration) time.Time {
	tm := time.Now()
	cn.SetUsedAt(tm)

	if timeout > 0 {
		tm = tm.Add(timeout)
	}

	if ctx != nil {
		deadline, ok := ctx.Deadline()
		if ok {
			if timeout == 0 {
				return deadline
			}
			if deadline.Before(tm) {
				return deadline
			}
			return tm
		}
	}

	if timeout > 0 {
		return tm
	}

	return noDeadline
}

// StickyConnPool hands out the same connection for the lifetime of a transaction.
type StickyConnPool struct {
	opt *Options
	mu  sync.Mutex
	cn  *Conn
	bad bool
}

func (p *StickyConnPool) Get(ctx context.Context) (*Conn, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bad {
		return nil, errPoolClosed
	}
	if p.cn != nil {
		return p.cn, nil
	}
	d := net.Dialer{Timeout: p.opt.DialTimeout}
	netConn, err := d.DialContext(ctx, "tcp", p.opt.Addr)
	if err != nil {
		return nil, err
	}
	p.cn = &Conn{netConn: netConn, rd: bufio.NewReader(netConn)}
	return p.cn, nil
}

func (p *StickyConnPool) Remove(cn *Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	_ = cn.netConn.Close()
	p.cn = nil
}

func (p *StickyConnPool) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.bad = true
	if p.cn != nil {
		err := p.cn.netConn.Close()
		p.cn = nil
		return err
	}
	return nil
}

// --- base.go ---

type baseDB struct {
	opt  *Options
	pool *StickyConnPool
}

type Result interface {
	RowsAffected() int
}

type result struct{ affected int }

func (r *result) RowsAffected() int { return r.affected }

func (db *baseDB) withConn(
	ctx context.Context, fn func(context.Context, *Conn) error,
) error {
	cn, err := db.pool.Get(ctx)
	if err != nil {
		return err
	}
	err = fn(ctx, cn)
	var netErr net.Error
	if errors.As(err, &netErr) {
		db.pool.Remove(cn)
	}
	return err
}

func (db *baseDB) simpleQuery(
	c context.Context, cn *Conn, wb []byte,
) (*result, error) {
	if err := cn.WriteBuffer(c, db.opt.WriteTimeout, wb); err != nil {
		return nil, err
	}

	var res *result
	if err := cn.WithReader(c, db.opt.ReadTimeout, func(rd *bufio.Reader) error {
		line, err := rd.ReadString('\n')
		if err != nil {
			return err
		}
		if len(line) > 0 && line[0] == 'E' {
			return fmt.Errorf("pg: %s", line[1:])
		}
		res = &result{}
		return nil
	}); err != nil {
		return nil, err
	}

	return res, nil
}

func (db *baseDB) Close() error {
	return db.pool.Close()
}

// --- tx.go ---

// Tx is an in-progress database transaction.
type Tx struct {
	db  *baseDB
	ctx context.Context

	_closed int32
}

func NewDB(opt *Options) *baseDB {
	opt.init()
	return &baseDB{opt: opt, pool: &StickyConnPool{opt: opt}}
}

func (db *baseDB) BeginContext(ctx context.Context) (*Tx, error) {
	tx := &Tx{
		db:  &baseDB{opt: db.opt, pool: &StickyConnPool{opt: db.opt}},
		ctx: ctx,
	}

	err := tx.begin(ctx)
	if err != nil {
		tx.close()
		return nil, err
	}

	return tx, nil
}

// RunInTransaction runs a function in a transaction. If function
// returns an error transaction is rolled back, otherwise transaction
// is committed.
func (db *baseDB) RunInTransaction(ctx context.Context, fn func(*Tx) error) error {
	tx, err := db.BeginContext(ctx)
	if err != nil {
		return err
	}
	return tx.RunInTransaction(ctx, fn)
}

// RunInTransaction runs a function in the transaction. If function
// returns an error transaction is rolled back, otherwise transaction
// is committed.
func (tx *Tx) RunInTransaction(ctx context.Context, fn func(*Tx) error) error {
	defer func() {
		if err := recover(); err != nil {
			if err := tx.RollbackContext(ctx); err != nil {
				Logger.Printf("tx.Rollback panicked: %s", err)
			}
			panic(err)
		}
	}()

	if err := fn(tx); err != nil {
		if err := tx.RollbackContext(ctx); err != nil {
			Logger.Printf("tx.Rollback failed: %s", err)
		}
		return err
	}
	return tx.CommitContext(ctx)
}

func (tx *Tx) withConn(c context.Context, fn func(context.Context, *Conn) error) error {
	err := tx.db.withConn(c, fn)
	if tx.closed() && err == errPoolClosed {
		return ErrTxDone
	}
	return err
}

// ExecContext acts like Exec but additionally receives a context.
func (tx *Tx) ExecContext(c context.Context, query string) (Result, error) {
	return tx.exec(c, query)
}

func (tx *Tx) exec(ctx context.Context, query string) (Result, error) {
	wb := []byte("Q" + query + "\n")

	var res Result
	lastErr := tx.withConn(ctx, func(ctx context.Context, cn *Conn) error {
		r, err := tx.db.simpleQuery(ctx, cn, wb)
		if r != nil {
			res = r
		}
		return err
	})
	return res, lastErr
}

func (tx *Tx) begin(ctx context.Context) error {
	_, err := tx.ExecContext(ctx, "BEGIN")
	return err
}

// CommitContext commits the transaction.
func (tx *Tx) CommitContext(ctx context.Context) error {
	_, err := tx.ExecContext(UndoContext(ctx), "COMMIT")
	tx.close()
	return err
}

// RollbackContext aborts the transaction.
func (tx *Tx) RollbackContext(ctx context.Context) error {
	_, err := tx.ExecContext(UndoContext(ctx), "ROLLBACK")
	tx.close()
	return err
}

// CloseContext calls Rollback if the tx has not already been committed or rolled back.
func (tx *Tx) CloseContext(ctx context.Context) error {
	if tx.closed() {
		return nil
	}
	return tx.RollbackContext(ctx)
}

func (tx *Tx) close() {
	if !atomic.CompareAndSwapInt32(&tx._closed, 0, 1) {
		return
	}
	_ = tx.db.Close()
}

func (tx *Tx) closed() bool {
	return atomic.LoadInt32(&tx._closed) == 1
}
