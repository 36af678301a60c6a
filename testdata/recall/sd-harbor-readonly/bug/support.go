// Recall case sd-harbor-readonly
// Source: github.com/goharbor/harbor commit 06f2414d1ce15edd7bce2abda75c311de2edb00f (src/server/middleware/readonly/readonly.go)
// Link: https://github.com/goharbor/harbor/commit/06f2414d1ce15edd7bce2abda75c311de2edb00f   (PR https://github.com/goharbor/harbor/pull/15523)
// Bug: the readonly middleware's DefaultConfig.ReadOnly(r) calls config.ReadOnly(orm.Context()), a fresh context.Background()-based ORM context, so the DB lookup ignores the request's r.Context() cancellation/deadline.
// Fix: DefaultConfig.ReadOnly uses config.ReadOnly(r.Context()).
// Rule: sharedeadline
package readonly

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
)

// ---- src/server/middleware: middleware.New / Skipper ----

// Skipper defines a function to skip middleware.
type Skipper func(*http.Request) bool

// New make a middleware from fn which type is func(w http.ResponseWriter, r *http.Request, next http.Handler)
func New(fn func(http.ResponseWriter, *http.Request, http.Handler), skippers ...Skipper) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			for _, skipper := range skippers {
				if skipper(r) {
					next.ServeHTTP(w, r)
					return
				}
			}
			fn(w, r, next)
		})
	}
}

// ---- src/lib/orm: Context / NewContext / FromContext ----

// Ormer stands in for the beego orm.Ormer: it runs statements on the harbor DB.
type Ormer struct {
	db *sql.DB
}

var harborDB *sql.DB

// SetDB installs the shared database handle (done once at start-up).
func SetDB(db *sql.DB) { harborDB = db }

func newOrm() *Ormer { return &Ormer{db: harborDB} }

type ormKey struct{}

// ormFromContext returns orm from context
func ormFromContext(ctx context.Context) (*Ormer, error) {
	o, ok := ctx.Value(ormKey{}).(*Ormer)
	if !ok {
		return nil, errors.New("cannot get the ORM from context")
	}
	return o, nil
}

// newOrmContext returns new context with orm
func newOrmContext(ctx context.Context, o *Ormer) context.Context {
	return context.WithValue(ctx, ormKey{}, o)
}

// ormContext is orm.Context(): returns a context with an orm
func ormContext() context.Context {
	return newOrmContext(context.Background(), newOrm())
}

// ---- src/server/middleware/orm: puts an orm into every request context ----

// OrmMiddleware mirrors orm.Middleware(): r.Context() carries an orm for the handlers below.
func OrmMiddleware() func(http.Handler) http.Handler {
	return New(func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		next.ServeHTTP(w, r.WithContext(newOrmContext(r.Context(), newOrm())))
	})
}

// Handler wires the middlewares in the order harbor's server does (orm first, then readonly).
func Handler(api http.Handler) http.Handler {
	return OrmMiddleware()(Middleware()(api))
}

// ---- src/lib/config: ReadOnly / defaultMgr ----

// Value is a configuration value.
type Value struct{ v string }

// GetBool returns the value as a bool.
func (v Value) GetBool() bool { return v.v == "true" }

// dbCfgManager stands in for the DB-backed configuration manager used by core.
type dbCfgManager struct{}

func defaultMgr() *dbCfgManager { return &dbCfgManager{} }

// Get loads one configuration item from the properties table with the orm in ctx.
func (m *dbCfgManager) Get(ctx context.Context, key string) Value {
	o, err := ormFromContext(ctx)
	if err != nil || o.db == nil {
		return Value{}
	}
	var v string
	if err := o.db.QueryRowContext(ctx, `SELECT v FROM properties WHERE k = $1`, key).Scan(&v); err != nil {
		return Value{}
	}
	return Value{v: v}
}

// ReadOnly returns a bool to indicates if Harbor is in read only mode.
func ReadOnly(ctx context.Context) bool {
	return defaultMgr().Get(ctx, "read_only").GetBool()
}
