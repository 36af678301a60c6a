// Recall case sc-flux-abortctxerr
// Source: github.com/influxdata/flux commit 02ebc15301ffe0901468fa00ee3c6f11a9c0c897 (execute/executor.go)
// Link: https://github.com/influxdata/flux/commit/02ebc15301ffe0901468fa00ee3c6f11a9c0c897
// Bug: when the query context is cancelled or times out, executionState.do aborts the results with errors.New("context done"), so callers reading the results can no longer see context.Canceled / context.DeadlineExceeded.
// Fix: the results are aborted with ctx.Err() instead of a new error.
// Rule: swallowcancel
package execute

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
)

// Source reads data from the outside world and pushes it to its transformations.
type Source interface {
	Run(ctx context.Context)
}

// Transport reports when its downstream work is finished.
type Transport interface {
	Finished() <-chan struct{}
}

type result struct {
	name string

	mu     sync.Mutex
	tables chan resultMessage

	abortErr chan error
	aborted  chan struct{}
}

type resultMessage struct {
	table []byte
	err   error
}

func newResult(name string) *result {
	return &result{
		name:     name,
		tables:   make(chan resultMessage, 1000),
		abortErr: make(chan error, 1),
		aborted:  make(chan struct{}),
	}
}

// Do is what query clients call to consume a result; it returns the abort error.
func (s *result) Do(f func([]byte) error) error {
	for {
		select {
		case err := <-s.abortErr:
			return err
		case msg, more := <-s.tables:
			if !more {
				return nil
			}
			if msg.err != nil {
				return msg.err
			}
			if err := f(msg.table); err != nil {
				return err
			}
		}
	}
}

// Process delivers one table to the result unless the result was aborted.
func (s *result) Process(tbl []byte) {
	select {
	case s.tables <- resultMessage{table: tbl}:
	case <-s.aborted:
	}
}

// Finish closes the result, delivering err (if any) first.
func (s *result) Finish(err error) {
	if err != nil {
		select {
		case s.tables <- resultMessage{err: err}:
		case <-s.aborted:
		}
	}
	close(s.tables)
}

func (s *result) abort(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()

	select {
	case <-s.aborted:
		return // already aborted
	default:
	}

	s.abortErr <- err
	close(s.aborted)
}

type poolDispatcher struct {
	errC chan error
}

func (d *poolDispatcher) Start(n int, ctx context.Context) {}
func (d *poolDispatcher) Err() <-chan error                { return d.errC }
func (d *poolDispatcher) Stop() error                      { return nil }

type executionState struct {
	results    map[string]*result
	sources    []Source
	transports []Transport
	dispatcher *poolDispatcher
	quota      int
}

func (es *executionState) abort(err error) {
	for _, r := range es.results {
		r.abort(err)
	}
}

func (es *executionState) do(ctx context.Context) {
	var wg sync.WaitGroup
	for _, src := range es.sources {
		wg.Add(1)
		go func(src Source) {
			defer wg.Done()

			defer func() {
				if e := recover(); e != nil {
					es.abort(fmt.Errorf("panic: %v", e))
				}
			}()
			src.Run(ctx)
		}(src)
	}

	es.dispatcher.Start(es.quota, ctx)
	go func() {
		// Wait for all transports to finish
		for _, t := range es.transports {
			select {
			case <-t.Finished():
			case <-ctx.Done():
				es.abort(errors.New("context done"))
			case err := <-es.dispatcher.Err():
				if err != nil {
					es.abort(err)
				}
			}
		}
		// Check for any errors on the dispatcher
		err := es.dispatcher.Stop()
		if err != nil {
			es.abort(err)
		}
	}()
}

// httpSource is a source that reads a remote CSV over HTTP (like csv.from(url:)).
type httpSource struct {
	client *http.Client
	url    string
	out    *result
	done   chan struct{}
}

func (s *httpSource) Finished() <-chan struct{} { return s.done }

func (s *httpSource) Run(ctx context.Context) {
	defer close(s.done)
	b, err := s.fetch(ctx)
	if err == nil {
		s.out.Process(b)
	}
	s.out.Finish(err)
}

func (s *httpSource) fetch(ctx context.Context) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

// Execute starts the query and returns its results.
func Execute(ctx context.Context, client *http.Client, url string) map[string]*result {
	r := newResult("_result")
	src := &httpSource{client: client, url: url, out: r, done: make(chan struct{})}
	es := &executionState{
		results:    map[string]*result{"_result": r},
		sources:    []Source{src},
		transports: []Transport{src},
		dispatcher: &poolDispatcher{errC: make(chan error)},
		quota:      1,
	}
	es.do(ctx)
	return es.results
}
