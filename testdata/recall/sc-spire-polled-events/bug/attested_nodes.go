// Recall case sc-spire-polled-events
// Source: github.com/spiffe/spire commit 47efcf61a8919b58824528d7e85d461dc2b69cce (pkg/server/endpoints/authorized_entryfetcher_attested_nodes.go)
// Link: https://github.com/spiffe/spire/commit/47efcf61a8919b58824528d7e85d461dc2b69cce
// Bug: attestedNodes.selectPolledEvents treats a context.Canceled error from ds.FetchAttestedNodeEvent like any other failure: it logs "Failed to fetch info about skipped node event" and continues the loop, querying the datastore again for every remaining event after cancellation.
// Fix: return as soon as errors.Is(err, context.Canceled) (and FreeEvents moved to a defer).
// Rule: swallowcancel
package endpoints

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log"
	"sync"
)

// ---- stand-ins for google.golang.org/grpc/codes + status ----

type Code uint32

const (
	OK       Code = 0
	Canceled Code = 1
	Unknown  Code = 2
	NotFound Code = 5
)

type statusError struct {
	code Code
	msg  string
}

func (e *statusError) Error() string {
	return fmt.Sprintf("rpc error: code = %d desc = %s", e.code, e.msg)
}

// statusCode mirrors status.Code: OK for nil, the code of a status error, Unknown otherwise.
func statusCode(err error) Code {
	if err == nil {
		return OK
	}
	var se *statusError
	if errors.As(err, &se) {
		return se.code
	}
	return Unknown
}

// ---- stand-in for logrus.FieldLogger ----

type FieldLogger interface {
	WithField(key string, value any) FieldLogger
	WithError(err error) FieldLogger
	Errorf(format string, args ...any)
}

type stdLogger struct {
	l      *log.Logger
	fields string
}

func (s stdLogger) WithField(key string, value any) FieldLogger {
	s.fields += fmt.Sprintf(" %s=%v", key, value)
	return s
}

func (s stdLogger) WithError(err error) FieldLogger {
	s.fields += fmt.Sprintf(" error=%q", err)
	return s
}

func (s stdLogger) Errorf(format string, args ...any) {
	s.l.Printf("level=error msg=%q%s", fmt.Sprintf(format, args...), s.fields)
}

const EventID = "event_id"

// ---- reduced SQL datastore (pkg/server/datastore/sqlstore) over database/sql ----

type AttestedNodeEvent struct {
	EventID  uint
	SpiffeID string
}

type DataStore interface {
	FetchAttestedNodeEvent(ctx context.Context, eventID uint) (*AttestedNodeEvent, error)
	ListAttestedNodeEvents(ctx context.Context, greaterThanEventID uint) ([]AttestedNodeEvent, error)
}

type sqlError struct{ err error }

func (s *sqlError) Error() string { return "datastore-sql: " + s.err.Error() }
func (s *sqlError) Unwrap() error { return s.err }

func newWrappedSQLError(err error) error {
	if err == nil {
		return nil
	}
	return &sqlError{err: err}
}

type Plugin struct {
	db *sql.DB
}

func (ds *Plugin) withReadTx(ctx context.Context, op func(tx *sql.Tx) error) error {
	tx, err := ds.db.BeginTx(ctx, nil)
	if err != nil {
		return newWrappedSQLError(err)
	}
	if err := op(tx); err != nil {
		_ = tx.Rollback()
		return gormToGRPCStatus(err)
	}
	return newWrappedSQLError(tx.Rollback())
}

func gormToGRPCStatus(err error) error {
	code := Unknown
	if errors.Is(err, sql.ErrNoRows) {
		code = NotFound
	}
	return &statusError{code: code, msg: err.Error()}
}

// FetchAttestedNodeEvent fetches an existing attested node event by event ID
func (ds *Plugin) FetchAttestedNodeEvent(ctx context.Context, eventID uint) (event *AttestedNodeEvent, err error) {
	if err = ds.withReadTx(ctx, func(tx *sql.Tx) (err error) {
		event = &AttestedNodeEvent{}
		return tx.QueryRowContext(ctx, "SELECT id, spiffe_id FROM attested_node_entries_events WHERE id = ?", eventID).
			Scan(&event.EventID, &event.SpiffeID)
	}); err != nil {
		return nil, err
	}
	return event, nil
}

func (ds *Plugin) ListAttestedNodeEvents(ctx context.Context, greaterThanEventID uint) (events []AttestedNodeEvent, err error) {
	err = ds.withReadTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, "SELECT id, spiffe_id FROM attested_node_entries_events WHERE id > ? ORDER BY id ASC", greaterThanEventID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var e AttestedNodeEvent
			if err := rows.Scan(&e.EventID, &e.SpiffeID); err != nil {
				return err
			}
			events = append(events, e)
		}
		return rows.Err()
	})
	return events, err
}

// ---- upstream code (pkg/server/endpoints/eventTracker.go, reduced) ----

type eventTracker struct {
	pollPeriods uint
	events      map[uint]uint
	pool        sync.Pool
}

func NewEventTracker(pollPeriods uint) *eventTracker {
	if pollPeriods < 1 {
		pollPeriods = 1
	}
	return &eventTracker{
		pollPeriods: pollPeriods,
		events:      make(map[uint]uint),
		pool: sync.Pool{
			New: func() any {
				return new([]uint)
			},
		},
	}
}

func (et *eventTracker) StartTracking(event uint) {
	et.events[event] = 0
}

func (et *eventTracker) StopTracking(event uint) {
	delete(et.events, event)
}

func (et *eventTracker) SelectEvents() []uint {
	pollList := *et.pool.Get().(*[]uint)
	for event := range et.events {
		if et.events[event] >= et.pollPeriods {
			et.StopTracking(event)
			continue
		}
		pollList = append(pollList, event)
		et.events[event]++
	}
	return pollList
}

func (et *eventTracker) FreeEvents(events []uint) {
	events = events[:0]
	et.pool.Put(&events)
}

// ---- upstream code (pkg/server/endpoints/authorized_entryfetcher_attested_nodes.go, reduced) ----

type attestedNodes struct {
	ds  DataStore
	log FieldLogger

	firstEvent uint
	lastEvent  uint
	seenFirst  bool

	eventTracker *eventTracker

	fetchNodes map[string]struct{}
}

func (a *attestedNodes) captureChangedNodes(ctx context.Context) error {
	a.selectPolledEvents(ctx)
	return a.scanForNewEvents(ctx)
}

func (a *attestedNodes) selectPolledEvents(ctx context.Context) {
	// check if the polled events have appeared out-of-order
	selectedEvents := a.eventTracker.SelectEvents()
	for _, eventID := range selectedEvents {
		log := a.log.WithField(EventID, eventID)
		event, err := a.ds.FetchAttestedNodeEvent(ctx, eventID)

		switch statusCode(err) {
		case OK:
		case NotFound:
			continue
		default:
			log.WithError(err).Errorf("Failed to fetch info about skipped node event %d", eventID)
			continue
		}

		a.fetchNodes[event.SpiffeID] = struct{}{}
		a.eventTracker.StopTracking(eventID)
	}
	a.eventTracker.FreeEvents(selectedEvents)
}

func (a *attestedNodes) scanForNewEvents(ctx context.Context) error {
	events, err := a.ds.ListAttestedNodeEvents(ctx, a.lastEvent)
	if err != nil {
		return err
	}

	for _, event := range events {
		if !a.seenFirst {
			a.firstEvent = event.EventID
			a.lastEvent = event.EventID
			a.fetchNodes[event.SpiffeID] = struct{}{}
			a.seenFirst = true
			continue
		}

		// track any skipped event ids, should they appear later.
		for skipped := a.lastEvent + 1; skipped < event.EventID; skipped++ {
			a.eventTracker.StartTracking(skipped)
		}

		// every event adds its entry to the entry fetch list.
		a.fetchNodes[event.SpiffeID] = struct{}{}
		a.lastEvent = event.EventID
	}
	return nil
}

func newAttestedNodes(db *sql.DB, logger *log.Logger) *attestedNodes {
	return &attestedNodes{
		ds:           &Plugin{db: db},
		log:          stdLogger{l: logger},
		eventTracker: NewEventTracker(10),
		fetchNodes:   make(map[string]struct{}),
	}
}

// updateCache is called by the periodic cache-rebuild loop with the server's run ctx,
// which is cancelled on shutdown.
func (a *attestedNodes) updateCache(ctx context.Context) error {
	return a.captureChangedNodes(ctx)
}
