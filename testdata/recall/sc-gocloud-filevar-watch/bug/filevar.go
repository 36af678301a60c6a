// Recall case sc-gocloud-filevar-watch
// Source: github.com/google/go-cloud commit 24a815770848b0dd04056e0d25a58a159db3c672 (runtimevar/filevar/filevar.go)
// Link: https://github.com/google/go-cloud/commit/24a815770848b0dd04056e0d25a58a159db3c672
// Bug: when ctx is Done while WatchVariable waits for a file event, it returns checkSameErr(err) where err is the nil error of the last successful read, so cancellation is reported as a nil error (success with no variable).
// Fix: return ctx.Err() when ctx is Done.
// Rule: swallowcancel
package filevar

import (
	"bytes"
	"context"
	"os"
	"time"
)

// Op describes a file system operation (stand-in for fsnotify.Op).
type Op uint32

const (
	Create Op = 1 << iota
	Write
	Remove
	Rename
	Chmod
)

// Event is a stand-in for fsnotify.Event.
type Event struct {
	Name string
	Op   Op
}

// Notifier is a stand-in for *fsnotify.Watcher.
type Notifier struct {
	Events chan Event
	Errors chan error
	Add    func(name string) error
	Remove func(name string) error
}

// Variable is a stand-in for driver.Variable.
type Variable struct {
	Value      any
	UpdateTime time.Time
}

// watcher implements driver.Watcher for configurations stored in files.
type watcher struct {
	notifier *Notifier
	file     string
	decode   func([]byte) (any, error)
	waitTime time.Duration
}

func (w *watcher) WatchVariable(ctx context.Context, prevVersion any, prevErr error) (*Variable, any, time.Duration, error) {

	// checkSameErr checks to see if err is the same as prevErr, and if so, returns
	// the "no change" signal with w.waitTime.
	checkSameErr := func(err error) (*Variable, any, time.Duration, error) {
		if prevErr != nil {
			if (os.IsNotExist(err) && os.IsNotExist(prevErr)) || err.Error() == prevErr.Error() {
				return nil, nil, w.waitTime, nil
			}
		}
		return nil, nil, 0, err
	}

	// Start watching over the file and wait for events/errors.
	notifierErr := w.notifier.Add(w.file)
	if notifierErr == nil {
		defer func() {
			_ = w.notifier.Remove(w.file)
		}()
	}

	for {
		// Read the file.
		b, err := os.ReadFile(w.file)
		if err != nil {
			return checkSameErr(err)
		}

		// Check to see if the value is new. If so, return it.
		if prevVersion == nil || !bytes.Equal(prevVersion.([]byte), b) {
			val, err := w.decode(b)
			if err != nil {
				return checkSameErr(err)
			}
			return &Variable{Value: val, UpdateTime: time.Now()}, b, 0, nil
		}

		// No change in variable value. Block until notifier tells us something
		// relevant changed.
		if notifierErr != nil {
			return checkSameErr(notifierErr)
		}
		wait := true
		for wait {
			select {
			case <-ctx.Done():
				return checkSameErr(err)

			case event := <-w.notifier.Events:
				if event.Name != w.file {
					continue
				}
				// Ignore if not one of the following operations.
				if event.Op&(Create|Write|Remove|Rename) == 0 {
					continue
				}
				wait = false

			case err := <-w.notifier.Errors:
				return checkSameErr(err)
			}
		}
	}
}
