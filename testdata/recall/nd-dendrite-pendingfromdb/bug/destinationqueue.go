// Recall case nd-dendrite-pendingfromdb
// Source: github.com/matrix-org/dendrite commit 923f789ca3174a685bd53ce5e64a5e86cabd38cb (federationapi/queue/destinationqueue.go)
// Link: https://github.com/matrix-org/dendrite/commit/923f789ca3174a685bd53ce5e64a5e86cabd38cb
// Bug: getPendingFromDatabase queries the database (GetPendingPDUs/GetPendingEDUs) with context.Background(), so the queries can never be cancelled or bounded, not even on shutdown.
// Fix: Use the queue's process context (oq.process.Context()) for the database queries.
// Rule: nodeadline
package queue

import (
	"context"
	"database/sql"
	"log"
	"sync"
)

const (
	maxPDUsInMemory = 128
	maxEDUsInMemory = 128
)

// ProcessContext is a stand-in for dendrite's setup/process.ProcessContext.
type ProcessContext struct {
	ctx      context.Context
	shutdown context.CancelFunc
}

func NewProcessContext() *ProcessContext {
	ctx, cancel := context.WithCancel(context.Background())
	return &ProcessContext{ctx: ctx, shutdown: cancel}
}

func (b *ProcessContext) Context() context.Context { return b.ctx }
func (b *ProcessContext) ShutdownDendrite()        { b.shutdown() }

// Database is the storage interface used by the queue (stand-in for storage.Database).
type Database interface {
	GetPendingPDUs(ctx context.Context, serverName string, limit int) (map[string]string, error)
	GetPendingEDUs(ctx context.Context, serverName string, limit int) (map[string]string, error)
}

// SQLDatabase implements Database on top of database/sql.
type SQLDatabase struct {
	DB *sql.DB
}

func (d *SQLDatabase) query(ctx context.Context, q, serverName string, limit int) (map[string]string, error) {
	rows, err := d.DB.QueryContext(ctx, q, serverName, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var nid, js string
		if err := rows.Scan(&nid, &js); err != nil {
			return nil, err
		}
		out[nid] = js
	}
	return out, rows.Err()
}

func (d *SQLDatabase) GetPendingPDUs(ctx context.Context, serverName string, limit int) (map[string]string, error) {
	return d.query(ctx, "SELECT json_nid, json FROM federationsender_queue_pdus WHERE server_name = $1 LIMIT $2", serverName, limit)
}

func (d *SQLDatabase) GetPendingEDUs(ctx context.Context, serverName string, limit int) (map[string]string, error) {
	return d.query(ctx, "SELECT json_nid, json FROM federationsender_queue_edus WHERE server_name = $1 LIMIT $2", serverName, limit)
}

type queuedPDU struct{ receipt, pdu string }
type queuedEDU struct{ receipt, edu string }

// destinationQueue is a queue of events for a single destination.
type destinationQueue struct {
	db           Database
	process      *ProcessContext
	destination  string
	notify       chan struct{}
	pendingPDUs  []*queuedPDU
	pendingEDUs  []*queuedEDU
	pendingMutex sync.RWMutex
}

// getPendingFromDatabase will look at the database and see if
// there are any persisted events that haven't been sent to this
// destination yet. If so, they will be queued up.
func (oq *destinationQueue) getPendingFromDatabase() {
	// Check to see if there's anything to do for this server
	// in the database.
	retrieved := false
	ctx := context.Background()
	oq.pendingMutex.Lock()
	defer oq.pendingMutex.Unlock()

	gotPDUs := map[string]struct{}{}
	gotEDUs := map[string]struct{}{}
	for _, pdu := range oq.pendingPDUs {
		gotPDUs[pdu.receipt] = struct{}{}
	}
	for _, edu := range oq.pendingEDUs {
		gotEDUs[edu.receipt] = struct{}{}
	}

	if pduCapacity := maxPDUsInMemory - len(oq.pendingPDUs); pduCapacity > 0 {
		// We have room in memory for some PDUs - let's request no more than that.
		if pdus, err := oq.db.GetPendingPDUs(ctx, oq.destination, pduCapacity); err == nil {
			for receipt, pdu := range pdus {
				if _, ok := gotPDUs[receipt]; ok {
					continue
				}
				oq.pendingPDUs = append(oq.pendingPDUs, &queuedPDU{receipt, pdu})
				retrieved = true
			}
		} else {
			log.Printf("Failed to get pending PDUs for %q: %v", oq.destination, err)
		}
	}
	if eduCapacity := maxEDUsInMemory - len(oq.pendingEDUs); eduCapacity > 0 {
		// We have room in memory for some EDUs - let's request no more than that.
		if edus, err := oq.db.GetPendingEDUs(ctx, oq.destination, eduCapacity); err == nil {
			for receipt, edu := range edus {
				if _, ok := gotEDUs[receipt]; ok {
					continue
				}
				oq.pendingEDUs = append(oq.pendingEDUs, &queuedEDU{receipt, edu})
				retrieved = true
			}
		} else {
			log.Printf("Failed to get pending EDUs for %q: %v", oq.destination, err)
		}
	}
	// If we've retrieved some events then notify the destination queue goroutine.
	if retrieved {
		select {
		case oq.notify <- struct{}{}:
		default:
		}
	}
}
