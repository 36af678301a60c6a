// Recall case sc-celestiaapp-storesize
// Source: github.com/celestiaorg/celestia-app commit dce14a750b8c7fc9d5e9b26d011963157d385dcb (fibre/store.go)
// Link: https://github.com/celestiaorg/celestia-app/commit/dce14a750b8c7fc9d5e9b26d011963157d385dcb
// Bug: Store.Size detects ctx.Err() != nil inside the scan loop but returns the local err, which is nil after a successful Stat, so a cancelled scan is reported as success (0, nil).
// Fix: the cancellation branch returns ctx.Err().
// Rule: swallowcancel
package fibre

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
)

const shardsSubdir = "shards"

// FS is the subset of the pebble vfs.FS used by the store.
type FS interface {
	List(dir string) ([]string, error)
	Stat(name string) (os.FileInfo, error)
}

type osFS struct{}

func (osFS) List(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names, nil
}

func (osFS) Stat(name string) (os.FileInfo, error) { return os.Stat(name) }

// StoreConfig contains configuration options for the [Store].
type StoreConfig struct {
	Path string
	Log  *slog.Logger
}

// Store keeps shard files on disk.
type Store struct {
	cfg StoreConfig
	fs  FS
	log *slog.Logger
}

// NewStore opens a store rooted at cfg.Path.
func NewStore(cfg StoreConfig) *Store {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	return &Store{cfg: cfg, fs: osFS{}, log: cfg.Log}
}

// Size returns the total on-disk bytes of stored shard files.
func (s *Store) Size(ctx context.Context) (int64, error) {
	dir := filepath.Join(s.cfg.Path, shardsSubdir)
	list, err := s.fs.List(dir)
	if err != nil {
		return 0, fmt.Errorf("accessing shards dir: %w", err)
	}

	var totalSize int64
	for _, name := range list {
		info, err := s.fs.Stat(filepath.Join(dir, name))
		switch {
		case errors.Is(err, os.ErrNotExist):
			continue // pruned concurrently between List and Stat
		case err != nil:
			return 0, fmt.Errorf("stat shard file %s: %w", name, err)
		case ctx.Err() != nil:
			return 0, err
		}
		totalSize += info.Size()
	}
	return totalSize, nil
}
