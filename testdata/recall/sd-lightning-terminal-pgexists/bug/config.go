// Recall case sd-lightning-terminal-pgexists
// Source: github.com/lightninglabs/lightning-terminal commit 42c31055379e4fa9699dca69dd2a4223ae568a89 (config.go)
// Link: https://github.com/lightninglabs/lightning-terminal/commit/42c31055379e4fa9699dca69dd2a4223ae568a89
// Bug: postgresDatabaseExists pings Postgres with a fresh context.WithTimeout(context.Background(), 5s), so the startup check started from LightningTerminal.Run(ctx) ignores the caller's ctx (shutdown request / cancellation) while probing the database.
// Fix: thread ctx from Run through loadAndValidateConfig and validateExclusiveSQLBackends and derive the 5s timeout from it.
// Rule: sharedeadline
package terminal

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

const (
	DatabaseBackendSqlite   = "sqlite"
	DatabaseBackendPostgres = "postgres"

	defaultSqliteDatabaseFileName = "litd.db"
)

// PostgresConfig is a stand-in for db.PostgresConfig.
type PostgresConfig struct {
	Host     string
	Port     int
	User     string
	Password string
	DBName   string
}

// DSN returns the dsn to connect to the database.
func (p *PostgresConfig) DSN(hidePassword bool) string {
	pw := p.Password
	if hidePassword {
		pw = "****"
	}
	return fmt.Sprintf("postgres://%s:%s@%s:%d/%s?sslmode=disable",
		p.User, pw, p.Host, p.Port, p.DBName)
}

// Config is the main configuration struct of lit.
type Config struct {
	Network         string
	LitDir          string
	DatabaseBackend string
	Postgres        *PostgresConfig
}

// Interceptor is a stand-in for signal.Interceptor.
type Interceptor struct {
	shutdownChannel chan struct{}
}

func (i *Interceptor) ShutdownChannel() <-chan struct{} { return i.shutdownChannel }
func (i *Interceptor) RequestShutdown()                 {}

// LightningTerminal is the main grand unified binary instance.
type LightningTerminal struct {
	cfg *Config
}

// Run starts everything and then blocks until either the application is shut
// down or a critical error happens.
func (g *LightningTerminal) Run(ctx context.Context,
	shutdownInterceptor *Interceptor) error {

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	// Make sure the context is canceled if the user requests shutdown and
	// that the shutdown signal is requested if the context is canceled.
	go func() {
		select {
		case <-shutdownInterceptor.ShutdownChannel():
			cancel()

		case <-ctx.Done():
			shutdownInterceptor.RequestShutdown()
		}
	}()

	cfg, err := loadAndValidateConfig(shutdownInterceptor)
	if err != nil {
		return fmt.Errorf("could not load config: %w", err)
	}
	g.cfg = cfg

	return nil
}

// loadAndValidateConfig loads the terminal's main configuration and validates
// its content.
func loadAndValidateConfig(interceptor *Interceptor) (*Config, error) {
	cfg := &Config{
		Network:         "mainnet",
		LitDir:          os.Getenv("LITDIR"),
		DatabaseBackend: DatabaseBackendSqlite,
		Postgres: &PostgresConfig{
			Host:   os.Getenv("PGHOST"),
			Port:   5432,
			User:   os.Getenv("PGUSER"),
			DBName: "litd",
		},
	}

	err := validateExclusiveSQLBackends(cfg, cfg.LitDir)
	if err != nil {
		return nil, err
	}

	return cfg, nil
}

// validateExclusiveSQLBackends errors and thereby rejects startup when the
// inactive SQL backend still has data at its default location.
func validateExclusiveSQLBackends(cfg *Config, litDir string) error {
	switch cfg.DatabaseBackend {
	case DatabaseBackendPostgres:
		sqlitePath := filepath.Join(
			litDir, cfg.Network, defaultSqliteDatabaseFileName,
		)

		exists, err := sqliteDatabaseExists(sqlitePath)
		if err != nil {
			return fmt.Errorf("unable to check for existing "+
				"sqlite database file at %s: %w", sqlitePath,
				err)
		}
		if exists {
			return fmt.Errorf("cannot start litd with postgres "+
				"backend: sqlite database file already exists "+
				"at %s", sqlitePath)
		}

	case DatabaseBackendSqlite:
		exists, err := postgresDatabaseExists(cfg.Postgres)
		if err != nil {
			return fmt.Errorf("unable to check for existing "+
				"postgres database %q at %s:%d for user %q: %w",
				cfg.Postgres.DBName, cfg.Postgres.Host,
				cfg.Postgres.Port, cfg.Postgres.User, err)
		}
		if exists {
			return fmt.Errorf("cannot start litd with sqlite "+
				"backend: postgres database %q already exists "+
				"at %s:%d for user %q", cfg.Postgres.DBName,
				cfg.Postgres.Host, cfg.Postgres.Port,
				cfg.Postgres.User)
		}
	}

	return nil
}

// sqliteDatabaseExists reports whether a SQLite database file exists at the
// given path.
func sqliteDatabaseExists(path string) (bool, error) {
	_, err := os.Stat(path)
	switch {
	case err == nil:
		return true, nil

	case os.IsNotExist(err):
		return false, nil

	default:
		return false, err
	}
}

// postgresDatabaseExists reports whether a Postgres database can be reached
// with the configured connection info. If the configuration does not identify
// a concrete database, the check is skipped.
func postgresDatabaseExists(cfg *PostgresConfig) (bool, error) {
	if !hasPostgresConnectionInfo(cfg) {
		return false, nil
	}

	dbConn, err := sql.Open("postgres", cfg.DSN(false))
	if err != nil {
		return false, fmt.Errorf("unable to check for existing "+
			"postgres database %q: %w", cfg.DBName, err)
	}
	defer dbConn.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	err = dbConn.PingContext(ctx)
	switch {
	case err == nil:
		return true, nil

	case isMissingPostgresDatabase(err):
		return false, nil

	default:
		return false, fmt.Errorf("unable to check for existing "+
			"postgres database %q: %w", cfg.DBName, err)
	}
}

// hasPostgresConnectionInfo reports whether the config identifies a concrete
// Postgres database to probe.
func hasPostgresConnectionInfo(cfg *PostgresConfig) bool {
	return cfg != nil && cfg.Host != "" && cfg.Port != 0 &&
		cfg.User != "" && cfg.DBName != ""
}

// isMissingPostgresDatabase reports whether the probe failed because the
// target database does not exist (SQLSTATE 3D000, invalid_catalog_name).
func isMissingPostgresDatabase(err error) bool {
	return err != nil && strings.Contains(err.Error(), "3D000")
}
