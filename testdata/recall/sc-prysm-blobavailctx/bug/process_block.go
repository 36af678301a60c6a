// Recall case sc-prysm-blobavailctx
// Source: github.com/prysmaticlabs/prysm commit a81518ca913a429fb6dae1aaba07de82c4713132 (beacon-chain/blockchain/process_block.go)
// Link: https://github.com/prysmaticlabs/prysm/commit/a81518ca913a429fb6dae1aaba07de82c4713132
// Bug: When ctx is done while waiting for blob sidecars, isDataAvailable returns errors.Wrap(err, ...) on the stale outer err, which is nil after a successful DB read, so a cancelled/timed-out wait is reported as success (data available).
// Fix: The ctx.Done() branch wraps ctx.Err() instead of the unrelated last err value.
// Rule: swallowcancel
package blockchain

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
)

const maxBlobsPerBlock = 6

// wrap is the stand-in for github.com/pkg/errors.Wrap: it returns nil when err is nil.
func wrap(err error, message string) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", message, err)
}

// BlobSidecar is a reduced blob sidecar.
type BlobSidecar struct {
	Index         uint64
	KzgCommitment []byte
}

// BeaconDB is the reduced database interface.
type BeaconDB interface {
	BlobSidecarsByRoot(ctx context.Context, root [32]byte) ([]*BlobSidecar, error)
}

// sqlBeaconDB implements BeaconDB on database/sql.
type sqlBeaconDB struct {
	db *sql.DB
}

func (s *sqlBeaconDB) BlobSidecarsByRoot(ctx context.Context, root [32]byte) ([]*BlobSidecar, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT idx, commitment FROM blob_sidecars WHERE root = ?", root[:])
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*BlobSidecar
	for rows.Next() {
		sc := &BlobSidecar{}
		if err := rows.Scan(&sc.Index, &sc.KzgCommitment); err != nil {
			return nil, err
		}
		out = append(out, sc)
	}
	return out, rows.Err()
}

type config struct {
	BeaconDB BeaconDB
}

type blobNotifierChan struct {
	indices map[uint64]struct{}
	channel chan struct{}
}

type blobNotifierMap struct {
	sync.RWMutex
	chanForRoot map[[32]byte]*blobNotifierChan
}

// Service is the reduced blockchain service.
type Service struct {
	cfg          *config
	blobNotifier *blobNotifierMap
}

// kzgIsDataAvailable is the stand-in for kzg.IsDataAvailable.
func kzgIsDataAvailable(commitments [][]byte, sidecars []*BlobSidecar) error {
	if len(sidecars) < len(commitments) {
		return errors.New("missing blob sidecars")
	}
	return nil
}

func (s *Service) isDataAvailable(ctx context.Context, root [32]byte, kzgCommitments [][]byte) error {
	existingBlobs := len(kzgCommitments)
	if existingBlobs == 0 {
		return nil
	}

	// Read first from db in case we have the blobs
	s.blobNotifier.Lock()
	var nc *blobNotifierChan
	var ok bool
	nc, ok = s.blobNotifier.chanForRoot[root]
	sidecars, err := s.cfg.BeaconDB.BlobSidecarsByRoot(ctx, root)
	if err == nil {
		if len(sidecars) >= existingBlobs {
			delete(s.blobNotifier.chanForRoot, root)
			s.blobNotifier.Unlock()
			return kzgIsDataAvailable(kzgCommitments, sidecars)
		}
	}
	// Create the channel if it didn't exist already the index map will be
	// created later anyway
	if !ok {
		nc = &blobNotifierChan{channel: make(chan struct{}, maxBlobsPerBlock)}
		s.blobNotifier.chanForRoot[root] = nc
	}
	// We have more commitments in the block than blobs in database
	// We sync the channel indices with the sidecars
	nc.indices = make(map[uint64]struct{})
	for _, sidecar := range sidecars {
		nc.indices[sidecar.Index] = struct{}{}
	}
	s.blobNotifier.Unlock()
	channelWrites := len(sidecars)
	for {
		select {
		case <-nc.channel:
			channelWrites++
			if channelWrites == existingBlobs {
				s.blobNotifier.Lock()
				delete(s.blobNotifier.chanForRoot, root)
				s.blobNotifier.Unlock()
				sidecars, err := s.cfg.BeaconDB.BlobSidecarsByRoot(ctx, root)
				if err != nil {
					return wrap(err, "could not get blob sidecars")
				}
				return kzgIsDataAvailable(kzgCommitments, sidecars)
			}
		case <-ctx.Done():
			return wrap(err, "context deadline waiting for blob sidecars")
		}
	}
}
