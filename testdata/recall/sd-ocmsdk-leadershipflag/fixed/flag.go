// Recall case sd-ocmsdk-leadershipflag
// Source: github.com/openshift-online/ocm-sdk-go commit 35e382147dd1ba4a6c08e010f936e1e0043172b7 (leadership/flag.go)
// Link: https://github.com/openshift-online/ocm-sdk-go/commit/35e382147dd1ba4a6c08e010f936e1e0043172b7
// Bug: Flag.check() starts every round from context.Background() and the DB helpers (now, loadState) derive their per-query timeouts from it, ignoring the context the caller passed to Build (its cancellation and values).
// Fix: store the Build ctx in the Flag and derive check()'s context from it (context.WithValue(f.ctx, ...)).
// Rule: sharedeadline
package leadership

import (
	"context"
	"database/sql"
	"errors"
	"log"
	"sync/atomic"
	"time"
)

type contextKey string

const (
	leadershipFlag contextKey = "leadership-flag"
)

// FlagBuilder contains the data and logic needed to build leadership flags.
type FlagBuilder struct {
	handle   *sql.DB
	name     string
	process  string
	interval time.Duration
	timeout  time.Duration
}

// Flag is a distributed flag intended to manage leadership in a group of processes.
type Flag struct {
	handle        *sql.DB
	name          string
	process       string
	checkInterval time.Duration
	retryInterval time.Duration
	timeout       time.Duration
	value         int32
	timer         *time.Timer
	stop          chan struct{}
	ctx           context.Context
}

// Build uses the data stored in the builder to configure and create a new leadership flag.
func (b *FlagBuilder) Build(ctx context.Context) (result *Flag, err error) {
	if b.handle == nil {
		err = errors.New("database handle is mandatory")
		return
	}

	// Make sure that the table exists, creating it if needed:
	_, err = b.handle.ExecContext(ctx, `create table if not exists leadership_flags (name text not null primary key, holder text not null, version bigint not null, timestamp timestamp with time zone not null)`)
	if err != nil {
		return
	}

	result = &Flag{
		handle:        b.handle,
		name:          b.name,
		process:       b.process,
		timeout:       b.timeout,
		checkInterval: b.interval / 2,
		retryInterval: b.interval / 10,
		timer:         time.NewTimer(0),
		stop:          make(chan struct{}),
		ctx:           ctx,
	}

	// Run the loop:
	go result.run()

	return
}

// Raised returns true if the flag is raised.
func (f *Flag) Raised() bool {
	return atomic.LoadInt32(&f.value) == 1
}

// Close releases all the resources used by the flag.
func (f *Flag) Close() error {
	close(f.stop)
	return nil
}

func (f *Flag) run() {
loop:
	for {
		select {
		case <-f.timer.C:
			f.check()
		case <-f.stop:
			break loop
		}
	}
}

// check checks the contents of the table and updates it and the state of the flag accordingly.
func (f *Flag) check() {
	var err error

	// Create a context:
	// whilst respecting parent context values
	ctx := context.WithValue(f.ctx, leadershipFlag, "")

	_, err = f.now(ctx)
	if err != nil {
		log.Printf("Process '%s' can't get current time for flag '%s': %v", f.process, f.name, err)
		atomic.StoreInt32(&f.value, 0)
		f.timer.Reset(f.retryInterval)
		return
	}

	found, holder, err := f.loadState(ctx)
	if err != nil {
		log.Printf("Process '%s' can't load state for flag '%s': %v", f.process, f.name, err)
		atomic.StoreInt32(&f.value, 0)
		f.timer.Reset(f.retryInterval)
		return
	}
	if found && holder == f.process {
		atomic.StoreInt32(&f.value, 1)
	} else {
		atomic.StoreInt32(&f.value, 0)
	}
	f.timer.Reset(f.checkInterval)
}

// now returns the current time from the database.
func (f *Flag) now(ctx context.Context) (result time.Time, err error) {
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	row := f.handle.QueryRowContext(ctx, `select now()`)
	err = row.Scan(&result)
	return
}

// loadState tries to load the database state corresponding to this flag.
func (f *Flag) loadState(ctx context.Context) (found bool, holder string, err error) {
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	row := f.handle.QueryRowContext(ctx, `select holder from leadership_flags where name = $1`, f.name)
	err = row.Scan(&holder)
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			err = nil
		}
		return
	}
	found = true
	return
}
