// Recall case tl-influxdb-walkkeys-leak
// Source: github.com/influxdata/influxdb commit 1c65bb3bb1ec60f5bfcf8cc2f56a7973a7851335 (tsdb/engine/tsm1/file_store.go)
// Link: https://github.com/influxdata/influxdb/commit/1c65bb3bb1ec60f5bfcf8cc2f56a7973a7851335
// Bug: FileStore.WalkKeys returns as soon as fn fails (e.g. DeleteMeasurement's abortErr), leaving the per-file reader goroutines and merge goroutines blocked forever sending on channels nobody reads
// Fix: readers select on a done channel that is closed when fn fails, and WalkKeys keeps draining the merged channel before returning the error
// Rule: timeoutleak
package tsm1

import (
	"bytes"
	"fmt"
	"sync"
)

// TSMFile is the subset of the TSM file reader interface used by WalkKeys.
type TSMFile interface {
	// KeyCount returns the number of distinct keys in the file.
	KeyCount() int
	// KeyAt returns the key located at index position idx.
	KeyAt(idx int) ([]byte, byte)
}

// FileStore is an abstraction around multiple TSM files.
type FileStore struct {
	mu    sync.RWMutex
	files []TSMFile
}

// WalkKeys calls fn for every key in every TSM file known to the FileStore.  If the key
// exists in multiple files, it will be invoked for each file.
func (f *FileStore) WalkKeys(fn func(key []byte, typ byte) error) error {
	f.mu.RLock()
	if len(f.files) == 0 {
		f.mu.RUnlock()
		return nil
	}

	readers := make([]chan seriesKey, 0, len(f.files))
	done := make(chan struct{})
	for _, f := range f.files {
		ch := make(chan seriesKey, 1)
		readers = append(readers, ch)

		go func(c chan seriesKey, r TSMFile) {
			n := r.KeyCount()
			for i := 0; i < n; i++ {

				key, typ := r.KeyAt(i)
				select {
				case <-done:
					// Abort iteration
					break
				case c <- seriesKey{key, typ}:
				}

			}
			close(ch)
		}(ch, f)
	}
	f.mu.RUnlock()

	merged := merge(readers...)
	var err error
	for v := range merged {
		// Drain the remaing values so goroutines can exit
		if err != nil {
			continue
		}
		if err = fn(v.key, v.typ); err != nil {
			// Signal that we should stop iterating
			close(done)
		}
	}

	return err
}

type seriesKey struct {
	key []byte
	typ byte
}

// merge merges multiple channels in parallel by recursively splitting the channels
// until a simple two-way merge can be performed.
func merge(c ...chan seriesKey) chan seriesKey {
	if len(c) == 0 {
		m := make(chan seriesKey)
		close(m)
		return m
	}

	// Just one, drain it
	if len(c) == 1 {
		m := make(chan seriesKey)
		go func() {
			if c[0] != nil {
				for v := range c[0] {
					m <- v
				}
			}
			close(m)
		}()
		return m
	}

	// More than two, split them up recursively
	if len(c) > 2 {
		a := merge(c[:len(c)/2]...)
		b := merge(c[len(c)/2:]...)
		return merge(a, b)
	}

	// Merge the two streams and drop duplicates between then
	m := make(chan seriesKey, 1)
	a, b := c[0], c[1]
	go func() {
		// buffer a and b values
		var av, bv seriesKey
		if a != nil {
			av = <-a
		}
		if b != nil {
			bv = <-b
		}
		for {
			if len(av.key) == 0 && len(bv.key) == 0 {
				break
			}

			if len(av.key) == 0 {
				m <- bv
				break
			}

			if len(bv.key) == 0 {
				m <- av
				break
			}

			cmp := bytes.Compare(av.key, bv.key)
			if cmp < 0 {
				// Send a's value, and re-prime a buffer
				m <- av
				av = <-a
			} else if cmp == 0 {
				// Send a's value, and re-prime a and b buffers
				m <- av
				av = <-a
				bv = <-b
			} else {
				// Send b's value, and re-prime b buffer
				m <- bv
				bv = <-b
			}
		}

		if a != nil {
			for av := range a {
				m <- av
			}
		}

		if b != nil {
			for bv := range b {
				m <- bv
			}
		}
		close(m)
	}()
	return m
}

// Engine is the reduced tsm1 engine.
type Engine struct {
	FileStore *FileStore
}

// DeleteMeasurement deletes a measurement if no data for it is left in the
// file store (reduced: the fieldset lock and cache scan are cut).
func (e *Engine) DeleteMeasurement(name []byte) error {
	// A sentinel error message to cause DeleteWithLock to not delete the measurement
	abortErr := fmt.Errorf("measurements still exist")

	encodedName := name

	// Check the filestore.
	if err := e.FileStore.WalkKeys(func(k []byte, typ byte) error {
		if bytes.HasPrefix(k, encodedName) {
			return abortErr
		}
		return nil
	}); err != nil && err != abortErr {
		// Something else failed, return it
		return err
	}

	return nil
}
