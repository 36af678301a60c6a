// Recall case sc-immudb-truncationpoint
// Source: github.com/codenotary/immudb commit 93bb08ebcb9d7a3f71c1c905b8d70a30918d8ad2 (pkg/database/database.go)
// Link: https://github.com/codenotary/immudb/commit/93bb08ebcb9d7a3f71c1c905b8d70a30918d8ad2
// Bug: FindTruncationPoint checks ctx.Err() inside its scan loop but then returns the outer err, which is nil at that point, so a cancelled/expired ctx yields (nil, nil) — cancellation is reported as success with no header.
// Fix: The check became 'if err := ctx.Err(); err != nil { return nil, err }', returning the context error.
// Rule: swallowcancel
package database

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

var (
	ErrTxNotFound                = errors.New("tx not found")
	ErrRetentionPeriodNotReached = errors.New("retention period has not been reached")
)

// TxHeader is the stored transaction header (stand-in for store.TxHeader).
type TxHeader struct {
	ID       uint64
	Ts       int64
	NEntries int
}

// ProtoTxHeader stands in for schema.TxHeader.
type ProtoTxHeader struct {
	Id       uint64
	Ts       int64
	Nentries int32
}

func TxHeaderToProto(hdr *TxHeader) *ProtoTxHeader {
	if hdr == nil {
		return nil
	}
	return &ProtoTxHeader{Id: hdr.ID, Ts: hdr.Ts, Nentries: int32(hdr.NEntries)}
}

// ImmuStore is a file-backed stand-in for the embedded store: one header file per tx.
type ImmuStore struct {
	dir string
}

func (s *ImmuStore) ReadTxHeader(id uint64, allowPrecommitted bool, skipIntegrityCheck bool) (*TxHeader, error) {
	if id == 0 {
		return nil, ErrTxNotFound
	}
	b, err := os.ReadFile(filepath.Join(s.dir, fmt.Sprintf("%020d.hdr", id)))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, ErrTxNotFound
		}
		return nil, err
	}
	if len(b) < 16 {
		return nil, fmt.Errorf("corrupted header for tx %d", id)
	}
	return &TxHeader{
		ID:       id,
		Ts:       int64(binary.BigEndian.Uint64(b[0:8])),
		NEntries: int(binary.BigEndian.Uint64(b[8:16])),
	}, nil
}

// LastTxUntil returns the newest tx committed at or before until.
func (s *ImmuStore) LastTxUntil(until time.Time) (*TxHeader, error) {
	matches, err := filepath.Glob(filepath.Join(s.dir, "*.hdr"))
	if err != nil {
		return nil, err
	}
	for i := len(matches) - 1; i >= 0; i-- {
		var id uint64
		if _, err := fmt.Sscanf(filepath.Base(matches[i]), "%020d.hdr", &id); err != nil {
			continue
		}
		hdr, err := s.ReadTxHeader(id, false, false)
		if err != nil {
			return nil, err
		}
		if hdr.Ts <= until.Unix() {
			return hdr, nil
		}
	}
	return nil, ErrTxNotFound
}

type db struct {
	name string
	st   *ImmuStore
}

func (d *db) FindTruncationPoint(ctx context.Context, until time.Time) (*ProtoTxHeader, error) {
	hdr, err := d.st.LastTxUntil(until)
	if errors.Is(err, ErrTxNotFound) {
		return nil, ErrRetentionPeriodNotReached
	}
	if err != nil {
		return nil, err
	}

	// look for the newst transaction with entries
	for err == nil {
		if hdr.NEntries > 0 {
			break
		}

		if ctx.Err() != nil {
			return nil, err
		}

		hdr, err = d.st.ReadTxHeader(hdr.ID-1, false, false)
	}
	return TxHeaderToProto(hdr), nil
}

// vlogTruncator implements the Truncator for the value-log appendable.
type vlogTruncator struct {
	db *db
}

// Plan returns the transaction upto which the value log can be truncated.
func (v *vlogTruncator) Plan(ctx context.Context, truncationUntil time.Time) (*ProtoTxHeader, error) {
	return v.db.FindTruncationPoint(ctx, truncationUntil)
}
