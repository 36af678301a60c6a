// Recall case nd-spicedb-readystate
// Source: github.com/authzed/spicedb commit c77e4fa14b697a27a5d03999a8d527b937ac5de2 (internal/datastore/crdb/migrations/driver.go, internal/datastore/crdb/crdb.go, pkg/datastore/context.go)
// Link: https://github.com/authzed/spicedb/commit/c77e4fa14b697a27a5d03999a8d527b937ac5de2
// Bug: crdbDatastore.ReadyState calls migrations.NewCRDBDriver, which dials CockroachDB with pgx.ConnectConfig(context.Background()), and ctxProxy.ReadyState strips the 500ms health-check deadline with context.WithoutCancel, so the readiness probe can hang forever on an unreachable DB.
// Fix: NewCRDBDriver takes ctx and passes it to pgx.ConnectConfig; ReadyState forwards ctx and the proxy no longer removes the deadline.
// Rule: nodeadline
package readystate

import (
	"context"
	"fmt"
	"log"
	"time"
)

const datastoreReadyTimeout = time.Millisecond * 500

// ReadyState mirrors datastore.ReadyState.
type ReadyState struct {
	Message string
	IsReady bool
}

// DatastoreChecker mirrors health.DatastoreChecker.
type DatastoreChecker interface {
	ReadyState(ctx context.Context) (ReadyState, error)
}

type healthManager struct {
	dsc DatastoreChecker
}

// checkIsReady is called in a loop by healthManager.Checker.
func (hm *healthManager) checkIsReady(ctx context.Context) bool {
	ctx, cancel := context.WithTimeout(ctx, datastoreReadyTimeout)
	defer cancel()

	dsReady, err := hm.dsc.ReadyState(ctx)
	if err != nil {
		log.Printf("could not check if the datastore was ready: %v", err)
		return false
	}

	if !dsReady.IsReady {
		log.Printf("datastore failed readiness checks: %s", dsReady.Message)
		return false
	}
	return true
}

// ctxProxy is the datastore returned by NewSeparatingContextDatastoreProxy.
type ctxProxy struct{ delegate DatastoreChecker }

func (p *ctxProxy) ReadyState(ctx context.Context) (ReadyState, error) {
	return p.delegate.ReadyState(context.WithoutCancel(ctx))
}

type crdbDatastore struct {
	dburl         string
	headMigration string
}

// MigrationReadyState mirrors common.MigrationValidator.MigrationReadyState.
func (cds *crdbDatastore) MigrationReadyState(version string) ReadyState {
	if version != cds.headMigration {
		return ReadyState{
			Message: fmt.Sprintf("datastore is not migrated: currently at revision `%s`, but requires `%s`", version, cds.headMigration),
			IsReady: false,
		}
	}
	return ReadyState{IsReady: true}
}

// ReadyState provides an indication of whether the datastore is ready to receive traffic.
func (cds *crdbDatastore) ReadyState(ctx context.Context) (ReadyState, error) {
	currentRevision, err := NewCRDBDriver(cds.dburl)
	if err != nil {
		return ReadyState{}, err
	}
	defer currentRevision.Close(ctx)

	version, err := currentRevision.Version(ctx)
	if err != nil {
		return ReadyState{}, err
	}

	if state := cds.MigrationReadyState(version); !state.IsReady {
		return state, nil
	}
	return ReadyState{IsReady: true}, nil
}

const (
	errUnableToInstantiate = "unable to instantiate CRDBDriver: %w"
	queryLoadVersion       = "SELECT version_num from schema_version"
)

// CRDBDriver implements a schema migration facility for use in SpiceDB's CRDB datastore.
type CRDBDriver struct {
	db *Conn
}

// NewCRDBDriver creates a new driver with active connections to the database specified.
func NewCRDBDriver(url string) (*CRDBDriver, error) {
	connConfig, err := ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf(errUnableToInstantiate, err)
	}

	db, err := ConnectConfig(context.Background(), connConfig)
	if err != nil {
		return nil, fmt.Errorf(errUnableToInstantiate, err)
	}

	return &CRDBDriver{db}, nil
}

// Version returns the version of the schema to which the connected database has been migrated.
func (apd *CRDBDriver) Version(ctx context.Context) (string, error) {
	var loaded string
	if err := apd.db.QueryRow(ctx, queryLoadVersion).Scan(&loaded); err != nil {
		return "", fmt.Errorf("unable to load alembic revision: %w", err)
	}
	return loaded, nil
}

// Close disposes the driver.
func (apd *CRDBDriver) Close(ctx context.Context) error {
	return apd.db.Close(ctx)
}
