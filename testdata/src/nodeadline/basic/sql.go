package basic

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

func queryNoContext(db *sql.DB) error {
	_, err := db.Query("SELECT 1") // want `\(\*sql.DB\).Query has no context, so the query cannot time out or be cancelled: use QueryContext\(ctx, …\)`
	return err
}

func queryNoContextWithCtx(ctx context.Context, db *sql.DB) error {
	_, err := db.Query("SELECT 1") // want `\(\*sql.DB\).Query has no context, so the query cannot time out or be cancelled: use QueryContext\(ctx, …\)`
	return err
}

func beginNoContext(ctx context.Context, db *sql.DB) error {
	_, err := db.Begin() // want `use BeginTx\(ctx, nil\)`
	return err
}

// The statements of a transaction that Begin() starts with no context are
// the same missing context as the Begin: one finding, at the Begin.
func beginThenStatements(ctx context.Context, db *sql.DB) error {
	tx, err := db.Begin() // want `\(\*sql.DB\).Begin has no context, so the query cannot time out or be cancelled: use BeginTx\(ctx, nil\) \(the same transaction reaches 2 more waits here: see related\)`
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRow("SELECT count(*) FROM t").Scan(&n); err != nil {
		return err
	}
	if _, err := tx.Exec("DELETE FROM t"); err != nil {
		return err
	}
	return tx.Commit()
}

// A transaction begun with the caller's context runs under it until it
// commits or rolls back: its context-free statements are judged by it
// (acoshift/acourse's fix kept tx.QueryRow and tx.Exec once Begin became
// BeginTx(ctx, nil)).
func beginTxThenStatements(ctx context.Context, db *sql.DB) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.Exec("DELETE FROM t"); err != nil {
		return err
	}
	return tx.Commit()
}

// Begun under context.Background(): the root reaches the Begin and the
// statement, once.
func beginTxBackgroundThenStatement(db *sql.DB) error {
	tx, err := db.BeginTx(context.Background(), nil) // want `context.Background\(\) reaches \(\*sql.DB\).BeginTx: the query has no deadline; derive it from the caller's context or bound it with context.WithTimeout \(the same context reaches 1 more wait here: see related\)`
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.Exec("DELETE FROM t"); err != nil {
		return err
	}
	return tx.Commit()
}

func background(db *sql.DB) {
	db.ExecContext(context.Background(), "DELETE FROM t") // want `context.Background\(\) reaches \(\*sql.DB\).ExecContext: the query has no deadline; derive it from the caller's context or bound it with context.WithTimeout`
}

func backgroundWithCtxInScope(ctx context.Context, db *sql.DB) {
	db.ExecContext(context.Background(), "DELETE FROM t") // want `context.Background\(\) reaches \(\*sql.DB\).ExecContext: the query has no deadline; pass ctx`
}

func todoVariable(tx *sql.Tx) {
	ctx := context.TODO()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	tx.QueryRowContext(ctx, "SELECT 1") // want `context.TODO\(\) reaches \(\*sql.Tx\).QueryRowContext`
}

func withoutCancel(ctx context.Context, stmt *sql.Stmt) {
	detached := context.WithoutCancel(ctx)
	stmt.ExecContext(detached) // want `context.WithoutCancel\(…\) reaches \(\*sql.Stmt\).ExecContext: the query has no deadline; bound the detached work with context.WithTimeout`
}

func maybe(ctx context.Context, db *sql.DB, fresh bool) {
	c := ctx
	if fresh {
		c = context.Background()
	}
	db.PingContext(c) // want `context.Background\(\) may reach \(\*sql.DB\).PingContext`
}

// --- exemptions: no diagnostics below ---

func inherited(ctx context.Context, db *sql.DB) {
	db.ExecContext(ctx, "DELETE FROM t")
}

func bounded(db *sql.DB) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	db.ExecContext(ctx, "DELETE FROM t")
}

func boundedDeadline(db *sql.DB, at time.Time) {
	ctx, cancel := context.WithDeadline(context.Background(), at)
	defer cancel()
	db.ExecContext(ctx, "DELETE FROM t")
}

func nilGuard(ctx context.Context, db *sql.DB) {
	if ctx == nil {
		ctx = context.Background()
	}
	db.ExecContext(ctx, "DELETE FROM t")
}

type store struct {
	ctx context.Context
	db  *sql.DB
}

func (s *store) field() {
	s.db.ExecContext(s.ctx, "DELETE FROM t")
}

func unknownOrigin(db *sql.DB, mk func() context.Context) {
	db.ExecContext(mk(), "DELETE FROM t")
}

func closureCapture(ctx context.Context, db *sql.DB) {
	go func() {
		db.ExecContext(ctx, "DELETE FROM t")
	}()
}

func closureCaptureBackground(db *sql.DB) {
	ctx := context.Background()
	go func() {
		db.ExecContext(ctx, "DELETE FROM t") // want `context.Background\(\) reaches`
	}()
}

// Repo offers a context-free convenience API next to its context-taking one.
type Repo struct{ db *sql.DB }

// Delete forwards to DeleteContext: its callers are judged, not this body.
func (r *Repo) Delete(id int) error { return r.DeleteContext(context.Background(), id) }

func (r *Repo) DeleteContext(ctx context.Context, id int) error {
	_, err := r.db.ExecContext(ctx, "DELETE FROM t WHERE id = $1", id)
	return err
}

func useRepo(r *Repo) {
	r.DeleteContext(context.Background(), 1) // want `context.Background\(\) reaches \(\*sql.DB\).ExecContext via \(\*basic.Repo\).DeleteContext`
}

var defaultRepo = &Repo{}

// Delete is the package-level convenience for the default instance.
func Delete(id int) error {
	return defaultRepo.DeleteContext(context.Background(), id)
}

// DeleteAll is a context-free form of the exported DeleteContext (its one
// parameter given a constant): a wrapper, judged at its callers.
func DeleteAll() error {
	return defaultRepo.DeleteContext(context.Background(), 0)
}

// PingDB forwards to another package's context-taking form: its own
// callers have no context to give, so the root it passes is judged here.
func PingDB(db *sql.DB) error {
	return db.PingContext(context.Background()) // want `context.Background\(\) reaches \(\*sql.DB\).PingContext`
}

// deleteOne does more than forward: judged here.
func deleteOne(id int) error {
	if err := defaultRepo.DeleteContext(context.Background(), id); err != nil { // want `context.Background\(\) reaches \(\*sql.DB\).ExecContext via \(\*basic.Repo\).DeleteContext`
		return errors.Join(errDelete, err)
	}
	return nil
}

var errDelete = errors.New("delete")

// Conn offers a legacy API next to its context-taking one, like a database/sql driver.
type Conn struct{ db *sql.DB }

func (c *Conn) Begin() (*sql.Tx, error) { return c.BeginTx(context.Background(), nil) }

func (c *Conn) BeginTx(ctx context.Context, opts *sql.TxOptions) (*sql.Tx, error) {
	return c.db.BeginTx(ctx, opts)
}

// Report forwards to load, which is not exported: callers have no
// context-taking form to choose, so Report is judged here.
func (c *Conn) Report() error { return c.load(context.Background()) } // want `context.Background\(\) reaches \(\*sql.DB\).PingContext via \(\*basic.Conn\).load`

func (c *Conn) load(ctx context.Context) error { return c.db.PingContext(ctx) }

// Exec shares its name with the method it calls, but db is no default instance.
func Exec(db *sql.DB) error {
	_, err := db.Exec("VACUUM") // want `\(\*sql.DB\).Exec has no context`
	return err
}

// run dispatches commands; only some touch the database.
func run(ctx context.Context, command string, db *sql.DB) error {
	switch command {
	case "status":
		_, err := db.QueryContext(ctx, "SELECT version FROM migrations")
		return err
	case "create":
		return nil // writes a file
	}
	return nil
}

// A nil database: the call cannot reach the query (goose's "create").
func createOnly() error {
	return run(context.Background(), "create", nil)
}

func status(db *sql.DB) error {
	return run(context.Background(), "status", db) // want `context.Background\(\) reaches \(\*sql.DB\).QueryContext via basic.run`
}

// A command that never touches the database, with a database at hand: the
// constant fails the switch's test on the way to the query.
func createWithDB(db *sql.DB) error {
	return run(context.Background(), "create", db)
}

// Run dispatches through run: the condition moves to Run's parameter.
func Run(ctx context.Context, command string, db *sql.DB) error { return run(ctx, command, db) }

func wrapped(db *sql.DB) error {
	if err := Run(context.Background(), "create", db); err != nil {
		return err
	}
	return Run(context.Background(), "status", db) // want `context.Background\(\) reaches \(\*sql.DB\).QueryContext via basic.Run`
}

// A command chosen at run time may be the one that queries.
func anyCommand(db *sql.DB, command string) error {
	return run(context.Background(), command, db) // want `context.Background\(\) reaches \(\*sql.DB\).QueryContext via basic.run`
}

// The early return on `!=` guards the query the same way.
func statusOnly(ctx context.Context, command string, db *sql.DB) error {
	if command != "status" {
		return nil
	}
	_, err := db.QueryContext(ctx, "SELECT 1")
	return err
}

func statusOnlyCallers(db *sql.DB) {
	_ = statusOnly(context.Background(), "version", db)
	_ = statusOnly(context.Background(), "status", db) // want `context.Background\(\) reaches \(\*sql.DB\).QueryContext via basic.statusOnly`
}

// A context only this package can set, and only ever to a bare root: every
// query given it is unbounded and uncancellable.
type todoStore struct {
	ctx context.Context
	db  *sql.DB
}

func newTodoStore(db *sql.DB) *todoStore { return &todoStore{ctx: context.TODO(), db: db} }

func (s *todoStore) get() error {
	_, err := s.db.QueryContext(s.ctx, "SELECT 1") // want `context.TODO\(\) \(stored in field ctx\) reaches \(\*sql.DB\).QueryContext: the query has no deadline`
	return err
}

// A lifecycle context: Close cancels it.
type watcher struct {
	ctx    context.Context
	cancel context.CancelFunc
	db     *sql.DB
}

func newWatcher(db *sql.DB) *watcher {
	ctx, cancel := context.WithCancel(context.Background())
	return &watcher{ctx: ctx, cancel: cancel, db: db}
}

func (w *watcher) poll() error {
	_, err := w.db.QueryContext(w.ctx, "SELECT 1")
	return err
}

func (w *watcher) Close() { w.cancel() }

// An exported field: other packages may set it.
type Client struct {
	Ctx context.Context
	db  *sql.DB
}

func NewClient(db *sql.DB) *Client { return &Client{Ctx: context.Background(), db: db} }

func (c *Client) Get() error {
	_, err := c.db.QueryContext(c.Ctx, "SELECT 1")
	return err
}

// Set from a caller's context by one constructor.
type mixedStore struct {
	ctx context.Context
	db  *sql.DB
}

func newMixedStore(db *sql.DB) *mixedStore { return &mixedStore{ctx: context.Background(), db: db} }

func newMixedStoreWith(ctx context.Context, db *sql.DB) *mixedStore {
	return &mixedStore{ctx: ctx, db: db}
}

func (m *mixedStore) get() error {
	_, err := m.db.QueryContext(m.ctx, "SELECT 1")
	return err
}

// One root, several waits: reported once, at the first.
func migrateAll(db *sql.DB) error {
	ctx := context.Background()
	tx, err := db.BeginTx(ctx, nil) // want `context.Background\(\) reaches \(\*sql.DB\).BeginTx: the query has no deadline; .* \(the same context reaches 2 more waits here: see related\)`
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "CREATE TABLE a (x int)"); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "CREATE TABLE b (x int)"); err != nil {
		return err
	}
	return tx.Commit()
}

// do reaches a different wait on each path.
func do(ctx context.Context, db *sql.DB, read bool) error {
	if read {
		_, err := db.QueryContext(ctx, "SELECT 1")
		return err
	}
	_, err := db.ExecContext(ctx, "DELETE FROM t")
	return err
}

func doBackground(db *sql.DB) error {
	return do(context.Background(), db, true) // want `context.Background\(\) reaches \(\*sql.DB\).(Query|Exec)Context \(one of several waits\) via basic.do`
}

// Drivers that bound every wait themselves (clickhouse-go's read and write
// deadlines, a local SQLite file) leave nothing to report.
type chStore struct{ conn *sql.DB }

func openClickHouse(dsn string) (*chStore, error) {
	db, err := sql.Open("clickhouse", dsn)
	if err != nil {
		return nil, err
	}
	return &chStore{conn: db}, nil
}

func (s *chStore) version() error {
	_, err := s.conn.Exec("SELECT version()")
	return err
}

func (s *chStore) migrate() error {
	tx, err := s.conn.Begin()
	if err != nil {
		return err
	}
	if _, err := tx.Exec("CREATE TABLE t (x Int32) ENGINE = Memory"); err != nil {
		return err
	}
	return tx.Commit()
}

func sqliteCount(path string) error {
	db, err := sql.Open("sqlite3", path)
	if err != nil {
		return err
	}
	_, err = db.QueryContext(context.Background(), "SELECT count(*) FROM t")
	return err
}

// Another driver: the query is judged by its context, as always.
func postgresCount(dsn string) error {
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		return err
	}
	_, err = db.Query("SELECT count(*) FROM t") // want `\(\*sql.DB\).Query has no context`
	return err
}

// Opened here for one driver, or handed in: which driver the handed-in one
// has is the caller's. Reported only where a caller's context is dropped.
type mixedDB struct{ conn *sql.DB }

func newMixedDB(dsn string) *mixedDB {
	db, _ := sql.Open("clickhouse", dsn)
	return &mixedDB{conn: db}
}

func newMixedDBWith(db *sql.DB) *mixedDB { return &mixedDB{conn: db} }

func (m *mixedDB) count() error {
	_, err := m.conn.Query("SELECT 1")
	return err
}

func (m *mixedDB) countCtx(ctx context.Context) error {
	_, err := m.conn.Query("SELECT 1") // want `\(\*sql.DB\).Query cannot take ctx, so the query is not cancelled with the caller`
	return err
}

// A context-free form beside its context-taking twin (the same parameters
// after a leading context.Context, the same results): the API's
// deliberate convenience, whose callers are judged (sqlx's Connect and
// ConnectContext).
type Store struct{ db *sql.DB }

func (s *Store) Count(table string) (int, error) {
	var n int
	err := s.db.QueryRow("SELECT count(*) FROM " + table).Scan(&n)
	return n, err
}

func (s *Store) CountContext(ctx context.Context, table string) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM "+table).Scan(&n)
	return n, err
}

// Two context-free forms that one context-taking form would serve: no
// pair, both judged.
func (s *Store) Sum(table, col string) (int, error) {
	var n int
	err := s.db.QueryRow("SELECT sum(" + col + ") FROM " + table).Scan(&n) // want `\(\*sql.DB\).QueryRow has no context`
	return n, err
}

func (s *Store) Max(table, col string) (int, error) {
	var n int
	err := s.db.QueryRow("SELECT max(" + col + ") FROM " + table).Scan(&n) // want `\(\*sql.DB\).QueryRow has no context`
	return n, err
}

func (s *Store) AggregateContext(ctx context.Context, table, col string) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, "SELECT sum("+col+") FROM "+table).Scan(&n)
	return n, err
}
