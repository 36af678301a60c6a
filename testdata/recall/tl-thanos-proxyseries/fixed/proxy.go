// Recall case tl-thanos-proxyseries
// Source: github.com/thanos-io/thanos commit 60ede4c1305a852c0eb35492b66a7cd6cbf6bc19 (pkg/store/proxy.go)
// Link: https://github.com/thanos-io/thanos/pull/2866
// Bug: when srv.Send fails, ProxyStore.Series returns early and stops draining respRecv, but the errgroup goroutine keeps pushing merged series through ctxRespSender.send, whose plain `s.ch <- r` blocks forever once the 10-slot buffer is full, leaking the goroutine (and the per-store stream goroutines waiting behind it).
// Fix: send selects on s.ctx.Done() as well as the channel send, and draining respCh moved into a second errgroup goroutine so a send error cancels gctx.
// Rule: timeoutleak
package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"strings"
	"sync"
	"time"
)

// --- local stand-ins for storepb ------------------------------------------

type Label struct{ Name, Value string }
type AggrChunk struct{ MinTime, MaxTime int64 }

type Series struct {
	Labels []Label
	Chunks []AggrChunk
}

type SeriesResponse struct {
	Series  *Series `json:"series,omitempty"`
	Warning string  `json:"warning,omitempty"`
}

func (r *SeriesResponse) GetSeries() *Series {
	if r == nil {
		return nil
	}
	return r.Series
}

func (r *SeriesResponse) GetWarning() string {
	if r == nil {
		return ""
	}
	return r.Warning
}

func NewWarnSeriesResponse(err error) *SeriesResponse { return &SeriesResponse{Warning: err.Error()} }
func NewSeriesResponse(s *Series) *SeriesResponse     { return &SeriesResponse{Series: s} }

type SeriesRequest struct {
	MinTime, MaxTime        int64
	PartialResponseDisabled bool
}

// Store_SeriesClient is the client side of the Series stream.
type Store_SeriesClient interface {
	Recv() (*SeriesResponse, error)
}

// Store_SeriesServer is the server side of the Series stream.
type Store_SeriesServer interface {
	Send(*SeriesResponse) error
	Context() context.Context
}

type SeriesSet interface {
	Next() bool
	At() ([]Label, []AggrChunk)
	Err() error
}

// MergeSeriesSets concatenates the given sets (upstream does a sorted k-way merge).
func MergeSeriesSets(all ...SeriesSet) SeriesSet { return &mergedSeriesSet{sets: all} }

type mergedSeriesSet struct {
	sets []SeriesSet
	cur  int
}

func (m *mergedSeriesSet) Next() bool {
	for m.cur < len(m.sets) {
		if m.sets[m.cur].Next() {
			return true
		}
		m.cur++
	}
	return false
}

func (m *mergedSeriesSet) At() ([]Label, []AggrChunk) { return m.sets[m.cur].At() }

func (m *mergedSeriesSet) Err() error {
	for _, s := range m.sets {
		if err := s.Err(); err != nil {
			return err
		}
	}
	return nil
}

// --- local stand-in for golang.org/x/sync/errgroup --------------------------

type Group struct {
	cancel  func()
	wg      sync.WaitGroup
	errOnce sync.Once
	err     error
}

func WithContext(ctx context.Context) (*Group, context.Context) {
	ctx, cancel := context.WithCancel(ctx)
	return &Group{cancel: cancel}, ctx
}

func (g *Group) Go(f func() error) {
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		if err := f(); err != nil {
			g.errOnce.Do(func() {
				g.err = err
				if g.cancel != nil {
					g.cancel()
				}
			})
		}
	}()
}

func (g *Group) Wait() error {
	g.wg.Wait()
	if g.cancel != nil {
		g.cancel()
	}
	return g.err
}

// --- StoreAPI client over HTTP (stands in for the gRPC store client) --------

type Client interface {
	Series(ctx context.Context, r *SeriesRequest) (Store_SeriesClient, error)
	String() string
	Addr() string
}

type httpStoreClient struct {
	addr   string
	client *http.Client
}

func NewHTTPStoreClient(addr string) Client {
	return &httpStoreClient{addr: addr, client: &http.Client{Timeout: 2 * time.Minute}}
}

func (c *httpStoreClient) String() string { return "store " + c.addr }
func (c *httpStoreClient) Addr() string   { return c.addr }

func (c *httpStoreClient) Series(ctx context.Context, r *SeriesRequest) (Store_SeriesClient, error) {
	body, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+c.addr+"/api/v1/series", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, fmt.Errorf("unexpected status %d", resp.StatusCode)
	}
	return &httpSeriesStream{body: resp.Body, dec: json.NewDecoder(resp.Body)}, nil
}

type httpSeriesStream struct {
	body io.ReadCloser
	dec  *json.Decoder
}

func (s *httpSeriesStream) Recv() (*SeriesResponse, error) {
	var r SeriesResponse
	if err := s.dec.Decode(&r); err != nil {
		s.body.Close()
		return nil, err
	}
	return &r, nil
}

// --- proxy -----------------------------------------------------------------

type ProxyStore struct {
	stores func() []Client
}

// cancelableRespSender is a response channel that does need to be exhausted on cancel.
type cancelableRespSender struct {
	ctx context.Context
	ch  chan<- *SeriesResponse
}

func newCancelableRespChannel(ctx context.Context, buffer int) (*cancelableRespSender, chan *SeriesResponse) {
	respCh := make(chan *SeriesResponse, buffer)
	return &cancelableRespSender{ctx: ctx, ch: respCh}, respCh
}

// send or return on cancel.
func (s cancelableRespSender) send(r *SeriesResponse) {
	select {
	case <-s.ctx.Done():
	case s.ch <- r:
	}
}

// Series returns all series for a requested time range and label matcher. Requested series are taken from other
// stores and proxied to RPC client.
func (s *ProxyStore) Series(r *SeriesRequest, srv Store_SeriesServer) error {
	g, gctx := WithContext(srv.Context())

	// Allow to buffer max 10 series response.
	// Each might be quite large (multi chunk long series given by sidecar).
	respSender, respCh := newCancelableRespChannel(gctx, 10)

	g.Go(func() error {
		// This go routine is responsible for calling store's Series concurrently. Merged results
		// are passed to respCh and sent concurrently to client (if buffer of 10 have room).
		// When this go routine finishes or is canceled, respCh channel is closed.

		var (
			seriesSet      []SeriesSet
			storeDebugMsgs []string
			wg             = &sync.WaitGroup{}
		)

		defer func() {
			wg.Wait()
			close(respCh)
		}()

		for _, st := range s.stores() {
			storeDebugMsgs = append(storeDebugMsgs, fmt.Sprintf("store %s queried", st))

			// This is used to cancel this stream when one operations takes too long.
			seriesCtx, closeSeries := context.WithCancel(gctx)
			defer closeSeries()

			sc, err := st.Series(seriesCtx, r)
			if err != nil {
				err = fmt.Errorf("fetch series for %s: %w", st, err)
				if r.PartialResponseDisabled {
					log.Printf("partial response disabled; aborting request: %v", err)
					return err
				}
				respSender.send(NewWarnSeriesResponse(err))
				continue
			}

			// Schedule streamSeriesSet that translates gRPC streamed response
			// into seriesSet (if series) or respCh if warnings.
			seriesSet = append(seriesSet, startStreamSeriesSet(seriesCtx, closeSeries,
				wg, sc, respSender, st.String(), !r.PartialResponseDisabled))
		}

		log.Print(strings.Join(storeDebugMsgs, ";"))
		if len(seriesSet) == 0 {
			// This is indicates that configured StoreAPIs are not the ones end user expects.
			err := errors.New("No StoreAPIs matched for this query")
			respSender.send(NewWarnSeriesResponse(err))
			return nil
		}

		mergedSet := MergeSeriesSets(seriesSet...)
		for mergedSet.Next() {
			var series Series
			series.Labels, series.Chunks = mergedSet.At()
			respSender.send(NewSeriesResponse(&series))
		}
		return mergedSet.Err()
	})

	g.Go(func() error {
		// Go routine for gathering merged responses and sending them over to client. It stops when
		// respCh channel is closed OR on error from client.
		for resp := range respCh {
			if err := srv.Send(resp); err != nil {
				return fmt.Errorf("send series response: %w", err)
			}
		}
		return nil
	})
	if err := g.Wait(); err != nil {
		log.Print(err)
		return err
	}
	return nil
}

type directSender interface {
	send(*SeriesResponse)
}

// streamSeriesSet iterates over incoming stream of series.
// All errors are sent out of band via warning channel.
type streamSeriesSet struct {
	ctx context.Context

	stream Store_SeriesClient
	warnCh directSender

	currSeries *Series
	recvCh     chan *Series

	errMtx sync.Mutex
	err    error

	name            string
	partialResponse bool

	closeSeries context.CancelFunc
}

type recvResponse struct {
	r   *SeriesResponse
	err error
}

func startStreamSeriesSet(
	ctx context.Context,
	closeSeries context.CancelFunc,
	wg *sync.WaitGroup,
	stream Store_SeriesClient,
	warnCh directSender,
	name string,
	partialResponse bool,
) *streamSeriesSet {
	s := &streamSeriesSet{
		ctx:             ctx,
		closeSeries:     closeSeries,
		stream:          stream,
		warnCh:          warnCh,
		recvCh:          make(chan *Series, 10),
		name:            name,
		partialResponse: partialResponse,
	}

	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(s.recvCh)

		rCh := make(chan *recvResponse)
		done := make(chan struct{})
		go func() {
			for {
				r, err := s.stream.Recv()
				select {
				case <-done:
					close(rCh)
					return
				case rCh <- &recvResponse{r: r, err: err}:
				}
			}
		}()
		for {
			var rr *recvResponse
			select {
			case <-ctx.Done():
				s.handleErr(fmt.Errorf("failed to receive any data from %s: %w", s.name, ctx.Err()), done)
				return
			case rr = <-rCh:
			}

			if rr.err == io.EOF {
				close(done)
				return
			}

			if rr.err != nil {
				s.handleErr(fmt.Errorf("receive series from %s: %w", s.name, rr.err), done)
				return
			}

			if w := rr.r.GetWarning(); w != "" {
				s.warnCh.send(NewWarnSeriesResponse(errors.New(w)))
			}

			if series := rr.r.GetSeries(); series != nil {
				select {
				case s.recvCh <- series:
				case <-ctx.Done():
					s.handleErr(fmt.Errorf("failed to receive any data from %s: %w", s.name, ctx.Err()), done)
					return
				}
			}
		}
	}()
	return s
}

func (s *streamSeriesSet) handleErr(err error, done chan struct{}) {
	defer close(done)
	s.closeSeries()

	if s.partialResponse {
		log.Printf("returning partial response: %v", err)
		s.warnCh.send(NewWarnSeriesResponse(err))
		return
	}
	s.errMtx.Lock()
	s.err = err
	s.errMtx.Unlock()
}

// Next blocks until new message is received or stream is closed or operation is timed out.
func (s *streamSeriesSet) Next() (ok bool) {
	s.currSeries, ok = <-s.recvCh
	return ok
}

func (s *streamSeriesSet) At() ([]Label, []AggrChunk) {
	if s.currSeries == nil {
		return nil, nil
	}
	return s.currSeries.Labels, s.currSeries.Chunks
}

func (s *streamSeriesSet) Err() error {
	s.errMtx.Lock()
	defer s.errMtx.Unlock()
	if s.err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", s.name, s.err)
}
