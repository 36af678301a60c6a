// Recall case sd-hydra-healthping
// Source: github.com/ory/hydra commit fa217119494e56b043810cd5ba8e8e230a24ea94 (driver/registry_sql.go, persistence/sql/persister.go)
// Link: https://github.com/ory/hydra/commit/fa217119494e56b043810cd5ba8e8e230a24ea94
// Bug: the /health/ready "database" checker ignores its *http.Request and calls RegistrySQL.Ping -> Persister.Ping -> Store.(pinger).Ping(), i.e. sql.DB.Ping with a fresh context.Background(), so the probe request's cancellation/deadline never reaches the DB ping.
// Fix: add RegistrySQL.PingContext(ctx) / Persister.Ping(ctx) using SQLDB().PingContext(ctx) and call it with r.Context() from the checker.
// Rule: sharedeadline
package driver

import (
	"database/sql"
	"net/http"
)

// RegistrySQL is the reduced driver.RegistrySQL.
type RegistrySQL struct {
	persister *Persister
	hh        *Handler
}

func (m *RegistrySQL) Persister() *Persister {
	return m.persister
}

func (m *RegistrySQL) Ping() error {
	return m.Persister().Ping()
}

func (m *RegistrySQL) HealthHandler() *Handler {
	if m.hh == nil {
		m.hh = NewHandler(ReadyCheckers{
			"database": func(_ *http.Request) error {
				return m.Ping()
			},
		})
	}

	return m.hh
}

// RegisterHealthRoutes mounts the readiness endpoint.
func (m *RegistrySQL) RegisterHealthRoutes(mux *http.ServeMux) {
	mux.HandleFunc("/health/ready", m.HealthHandler().Ready)
}

// ---- reduced persistence/sql.Persister ----

// Persister is the reduced persistence/sql.Persister.
type Persister struct {
	conn *Connection
}

func (p *Persister) Ping() error {
	type pinger interface{ Ping() error }
	return p.conn.Store.(pinger).Ping()
}

// ---- stand-in for gobuffalo/pop ----

// store is the subset of pop.Store used here.
type store interface {
	SQLDB() *sql.DB
}

// dB mirrors pop's dB, which embeds *sqlx.DB (itself embedding *sql.DB),
// so Ping/PingContext are the database/sql methods.
type dB struct {
	*sql.DB
}

func (d *dB) SQLDB() *sql.DB {
	return d.DB
}

// Connection is the subset of pop.Connection used here.
type Connection struct {
	Store store
}
