// Recall case nd-litestream-snapshotn
// Source: github.com/benbjohnson/litestream commit e9b205b4083049ddde453cdfdc77416f989e26fa (replica.go)
// Link: https://github.com/benbjohnson/litestream/commit/e9b205b4083049ddde453cdfdc77416f989e26fa
// Bug: Replica.snapshotN lists the remote replica's snapshots with context.Background(), so the remote (S3/HTTP) listing has no deadline and ignores the Sync ctx; a slow backend blocks Sync (and shutdown) forever.
// Fix: snapshotN takes the caller's ctx and passes it to client.Snapshots.
// Rule: nodeadline
package litestream

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
)

// ErrNoGeneration is returned when the database has no generation yet.
var ErrNoGeneration = errors.New("no generation available")

// Pos is a position in the database WAL.
type Pos struct {
	Generation string
	Index      int
	Offset     int64
}

// IsZero reports whether pos is unset.
func (p Pos) IsZero() bool { return p == Pos{} }

// SnapshotInfo describes a snapshot on the replica.
type SnapshotInfo struct {
	Generation string `json:"generation"`
	Index      int    `json:"index"`
}

// SnapshotIterator iterates over snapshots of a generation.
type SnapshotIterator interface {
	Next() bool
	Snapshot() SnapshotInfo
	Close() error
}

// ReplicaClient represents client to connect to a Replica.
type ReplicaClient interface {
	// Returns an iterator of all snapshots within a generation on the replica.
	Snapshots(ctx context.Context, generation string) (SnapshotIterator, error)
}

// HTTPReplicaClient is a replica client talking to a remote object store over HTTP.
type HTTPReplicaClient struct {
	BaseURL string
	Client  *http.Client
}

// Snapshots lists the snapshots of a generation from the remote store.
func (c *HTTPReplicaClient) Snapshots(ctx context.Context, generation string) (SnapshotIterator, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.BaseURL+"/generations/"+generation+"/snapshots", nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.Client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var infos []SnapshotInfo
	if err := json.NewDecoder(resp.Body).Decode(&infos); err != nil {
		return nil, err
	}
	return &sliceSnapshotIterator{infos: infos, i: -1}, nil
}

type sliceSnapshotIterator struct {
	infos []SnapshotInfo
	i     int
}

func (itr *sliceSnapshotIterator) Next() bool             { itr.i++; return itr.i < len(itr.infos) }
func (itr *sliceSnapshotIterator) Snapshot() SnapshotInfo { return itr.infos[itr.i] }
func (itr *sliceSnapshotIterator) Close() error           { return nil }

// DB is the local database being replicated.
type DB struct {
	mu  sync.Mutex
	pos Pos
}

// Pos returns the current database position.
func (db *DB) Pos() Pos {
	db.mu.Lock()
	defer db.mu.Unlock()
	return db.pos
}

// Replica connects a database to a replication destination.
type Replica struct {
	mu  sync.Mutex
	pos Pos

	db     *DB
	client ReplicaClient
}

// Snapshot uploads a new snapshot.
func (r *Replica) Snapshot(ctx context.Context) (SnapshotInfo, error) {
	return SnapshotInfo{Generation: r.db.Pos().Generation}, ctx.Err()
}

// Sync copies new WAL frames from the shadow WAL to the replica client.
func (r *Replica) Sync(ctx context.Context) (err error) {
	// Clear last position if if an error occurs during sync.
	defer func() {
		if err != nil {
			r.mu.Lock()
			r.pos = Pos{}
			r.mu.Unlock()
		}
	}()

	// Find current position of database.
	dpos := r.db.Pos()
	if dpos.IsZero() {
		return ErrNoGeneration
	}
	generation := dpos.Generation

	// Create snapshot if no snapshots exist for generation.
	snapshotN, err := r.snapshotN(generation)
	if err != nil {
		return err
	} else if snapshotN == 0 {
		if info, err := r.Snapshot(ctx); err != nil {
			return err
		} else if info.Generation != generation {
			return fmt.Errorf("generation changed during snapshot, exiting sync")
		}
	}
	return nil
}

// snapshotN returns the number of snapshots for a generation.
func (r *Replica) snapshotN(generation string) (int, error) {
	itr, err := r.client.Snapshots(context.Background(), generation)
	if err != nil {
		return 0, err
	}
	defer itr.Close()

	var n int
	for itr.Next() {
		n++
	}
	return n, itr.Close()
}
