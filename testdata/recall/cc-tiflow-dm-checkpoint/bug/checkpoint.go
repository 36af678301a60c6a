// Recall case cc-tiflow-dm-checkpoint
// Source: github.com/pingcap/tiflow commit 330c88ddb778cada5185a2ea1786da1deba9c755 (syncer/checkpoint.go)
// Link: https://github.com/pingcap/tiflow/commit/330c88ddb778cada5185a2ea1786da1deba9c755   (pingcap/dm PR #1174)
// Bug: RemoteCheckPoint.DeleteTablePoint (called from Syncer.trackDDL for DROP TABLE with ec.tctx) runs the checkpoint DELETE on the syncer's run context, which the task cancels on pause/stop, so the final checkpoint update for an already-handled DDL fails with context canceled.
// Fix: DeleteTablePoint (and Clear/DeleteSchemaPoint/FlushPointsExcept) run the SQL on tctx.WithContext(context.Background()).WithTimeout(maxDMLConnectionDuration).
// Rule: cleanupctx
package syncer

import (
	"log"
	"sync"
)

// RemoteCheckPoint implements CheckPoint
// which using target database to store info
type RemoteCheckPoint struct {
	sync.RWMutex

	dbConn *DBConn

	tableName string // qualified table name: schema is set through task config, table is task name
	id        string // checkpoint ID, now it is `source-id`

	// source-schema -> source-table -> checkpoint
	points map[string]map[string]struct{}
}

// NewRemoteCheckPoint creates a new RemoteCheckPoint
func NewRemoteCheckPoint(dbConn *DBConn, tableName, id string) *RemoteCheckPoint {
	return &RemoteCheckPoint{
		dbConn:    dbConn,
		tableName: tableName,
		id:        id,
		points:    make(map[string]map[string]struct{}),
	}
}

// SaveTablePoint records that a table has a checkpoint row.
func (cp *RemoteCheckPoint) SaveTablePoint(sourceSchema, sourceTable string) {
	cp.Lock()
	defer cp.Unlock()
	mSchema, ok := cp.points[sourceSchema]
	if !ok {
		mSchema = make(map[string]struct{})
		cp.points[sourceSchema] = mSchema
	}
	mSchema[sourceTable] = struct{}{}
}

// DeleteTablePoint implements CheckPoint.DeleteTablePoint
func (cp *RemoteCheckPoint) DeleteTablePoint(tctx *Context, sourceSchema, sourceTable string) error {
	cp.Lock()
	defer cp.Unlock()
	mSchema, ok := cp.points[sourceSchema]
	if !ok {
		return nil
	}
	_, ok = mSchema[sourceTable]
	if !ok {
		return nil
	}

	log.Printf("delete table checkpoint schema=%s table=%s", sourceSchema, sourceTable)
	_, err := cp.dbConn.executeSQL(
		tctx,
		[]string{`DELETE FROM ` + cp.tableName + ` WHERE id = ? AND cp_schema = ? AND cp_table = ?`},
		[]interface{}{cp.id, sourceSchema, sourceTable},
	)
	if err != nil {
		return err
	}
	delete(mSchema, sourceTable)
	return nil
}
