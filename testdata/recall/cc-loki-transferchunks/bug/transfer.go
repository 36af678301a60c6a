// Recall case cc-loki-transferchunks
// Source: github.com/grafana/loki commit 635e469e9a8018ff6d47431605be77de62038af3 (pkg/ingester/transfer.go)
// Link: https://github.com/grafana/loki/pull/2330
// Bug: when a chunk transfer fails because the sending ingester's stream was cancelled, the deferred rollback calls lifecycler.ChangeState(stream.Context(), PENDING) with that already-cancelled stream context, so the ring KV (Consul) CAS fails immediately and the ingester exits (or stays stuck in JOINING) instead of returning to PENDING.
// Fix: the rollback uses a fresh context.WithTimeout(context.Background(), 1*time.Minute) for ChangeState instead of stream.Context().
// Rule: cleanupctx
package ingester

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"sync"
	"time"
)

// ---- go-kit log / level stand-ins ----

type Logger interface {
	Log(keyvals ...interface{}) error
}

type stdLogger struct{ l *log.Logger }

func (s stdLogger) Log(keyvals ...interface{}) error {
	s.l.Println(keyvals...)
	return nil
}

type levelPkg struct{}

func (levelPkg) Error(l Logger) Logger { return l }
func (levelPkg) Info(l Logger) Logger  { return l }

var level levelPkg

// ---- logproto stand-ins ----

type LabelPair struct {
	Name  string
	Value string
}

type Chunk struct {
	Data []byte
}

type TimeSeriesChunk struct {
	FromIngesterId string
	UserId         string
	Labels         []LabelPair
	Chunks         []Chunk
}

type TransferChunksResponse struct{}

// Ingester_TransferChunksServer is the server side of the TransferChunks gRPC stream.
type Ingester_TransferChunksServer interface {
	SendAndClose(*TransferChunksResponse) error
	Recv() (*TimeSeriesChunk, error)
	Context() context.Context
}

// ---- cortex ring stand-ins ----

type IngesterState int

const (
	ACTIVE IngesterState = iota
	LEAVING
	PENDING
	JOINING
)

type IngesterDesc struct {
	Addr      string        `json:"addr"`
	Timestamp int64         `json:"timestamp"`
	State     IngesterState `json:"state"`
}

type Desc struct {
	Ingesters map[string]IngesterDesc `json:"ingesters"`
}

// KVClient is the ring key-value store.
type KVClient interface {
	CAS(ctx context.Context, key string, f func(in interface{}) (out interface{}, retry bool, err error)) error
}

// consulClient implements KVClient against the Consul HTTP KV API.
type consulClient struct {
	addr   string
	client *http.Client
}

func (c *consulClient) CAS(ctx context.Context, key string, f func(in interface{}) (out interface{}, retry bool, err error)) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.addr+"/v1/kv/"+key+"?raw", nil)
		if err != nil {
			return err
		}
		resp, err := c.client.Do(req)
		if err != nil {
			return err
		}
		var in interface{}
		if resp.StatusCode == http.StatusOK {
			desc := &Desc{}
			if err := json.NewDecoder(resp.Body).Decode(desc); err == nil {
				in = desc
			}
		}
		index := resp.Header.Get("X-Consul-Index")
		resp.Body.Close()

		out, retry, err := f(in)
		if err != nil {
			return err
		}
		if out == nil {
			return nil
		}
		body, err := json.Marshal(out)
		if err != nil {
			return err
		}
		req, err = http.NewRequestWithContext(ctx, http.MethodPut, c.addr+"/v1/kv/"+key+"?cas="+index, bytes.NewReader(body))
		if err != nil {
			return err
		}
		resp, err = c.client.Do(req)
		if err != nil {
			return err
		}
		ok := resp.StatusCode == http.StatusOK
		resp.Body.Close()
		if ok || !retry {
			return nil
		}
	}
}

// Lifecycler is responsible for managing the lifecycle of entries in the ring.
type Lifecycler struct {
	ID       string
	Addr     string
	RingKey  string
	RingName string
	KVStore  KVClient

	actorChan chan func()
	svcCtx    context.Context

	stateMtx sync.RWMutex
	state    IngesterState
}

func NewLifecycler(ctx context.Context, id, addr string, kv KVClient) *Lifecycler {
	l := &Lifecycler{ID: id, Addr: addr, RingKey: "ring", RingName: "ingester", KVStore: kv, actorChan: make(chan func()), svcCtx: ctx, state: PENDING}
	go l.loop(ctx)
	return l
}

func (i *Lifecycler) loop(ctx context.Context) {
	for {
		select {
		case f := <-i.actorChan:
			f()
		case <-ctx.Done():
			return
		}
	}
}

func (i *Lifecycler) GetState() IngesterState {
	i.stateMtx.RLock()
	defer i.stateMtx.RUnlock()
	return i.state
}

func (i *Lifecycler) setState(state IngesterState) {
	i.stateMtx.Lock()
	defer i.stateMtx.Unlock()
	i.state = state
}

func (i *Lifecycler) sendToLifecyclerLoop(fn func()) error {
	sc := i.svcCtx
	if sc == nil {
		return errors.New("lifecycler not running")
	}

	select {
	case <-sc.Done():
		return errors.New("lifecycler not running")
	case i.actorChan <- fn:
		return nil
	}
}

// ChangeState of the ingester, for use off of the loop() goroutine.
func (i *Lifecycler) ChangeState(ctx context.Context, state IngesterState) error {
	errCh := make(chan error)
	fn := func() {
		errCh <- i.changeState(ctx, state)
	}

	if err := i.sendToLifecyclerLoop(fn); err != nil {
		return err
	}
	return <-errCh
}

func (i *Lifecycler) changeState(ctx context.Context, state IngesterState) error {
	currState := i.GetState()
	// Only the following state transitions can be triggered externally
	if !((currState == PENDING && state == JOINING) || // triggered by TransferChunks at the beginning
		(currState == JOINING && state == PENDING) || // triggered by TransferChunks on failure
		(currState == JOINING && state == ACTIVE) || // triggered by TransferChunks on success
		(currState == PENDING && state == ACTIVE) || // triggered by autoJoin
		(currState == ACTIVE && state == LEAVING)) { // triggered by shutdown
		return fmt.Errorf("Changing instance state from %v -> %v is disallowed", currState, state)
	}

	i.setState(state)
	return i.updateConsul(ctx)
}

func (i *Lifecycler) updateConsul(ctx context.Context) error {
	return i.KVStore.CAS(ctx, i.RingKey, func(in interface{}) (out interface{}, retry bool, err error) {
		var ringDesc *Desc
		if in == nil {
			ringDesc = &Desc{Ingesters: map[string]IngesterDesc{}}
		} else {
			ringDesc = in.(*Desc)
		}
		ringDesc.Ingesters[i.ID] = IngesterDesc{Addr: i.Addr, Timestamp: time.Now().Unix(), State: i.GetState()}
		return ringDesc, true, nil
	})
}

// ClaimTokensFor takes all the tokens for the supplied ingester and assigns them to this ingester.
func (i *Lifecycler) ClaimTokensFor(ctx context.Context, ingesterID string) error {
	errCh := make(chan error)
	fn := func() {
		errCh <- i.KVStore.CAS(ctx, i.RingKey, func(in interface{}) (interface{}, bool, error) {
			ringDesc, ok := in.(*Desc)
			if !ok || ringDesc == nil {
				return nil, false, fmt.Errorf("Cannot claim tokens in an empty ring")
			}
			delete(ringDesc.Ingesters, ingesterID)
			return ringDesc, true, nil
		})
	}
	if err := i.sendToLifecyclerLoop(fn); err != nil {
		return err
	}
	return <-errCh
}

// ---- pkg/ingester ----

type instance struct {
	mtx    sync.Mutex
	chunks map[string][]Chunk
}

func (i *instance) consumeChunk(ctx context.Context, labels []LabelPair, chunk Chunk) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	i.mtx.Lock()
	defer i.mtx.Unlock()
	key := fmt.Sprint(labels)
	i.chunks[key] = append(i.chunks[key], chunk)
	return nil
}

type Ingester struct {
	shutdownMtx sync.Mutex
	lifecycler  *Lifecycler
	logger      Logger

	instancesMtx sync.Mutex
	instances    map[string]*instance
}

func (i *Ingester) getOrCreateInstance(instanceID string) *instance {
	i.instancesMtx.Lock()
	defer i.instancesMtx.Unlock()
	inst, ok := i.instances[instanceID]
	if !ok {
		inst = &instance{chunks: map[string][]Chunk{}}
		i.instances[instanceID] = inst
	}
	return inst
}

type orgIDKey struct{}

func injectOrgID(ctx context.Context, userID string) context.Context {
	return context.WithValue(ctx, orgIDKey{}, userID)
}

// TransferChunks receives all chunks from another ingester. The Ingester
// must be in PENDING state or else the call will fail.
func (i *Ingester) TransferChunks(stream Ingester_TransferChunksServer) error {
	logger := i.logger
	// Prevent a shutdown from happening until we've completely finished a handoff
	// from a leaving ingester.
	i.shutdownMtx.Lock()
	defer i.shutdownMtx.Unlock()

	// Entry JOINING state (only valid from PENDING)
	if err := i.lifecycler.ChangeState(stream.Context(), JOINING); err != nil {
		return err
	}

	// The ingesters state effectively works as a giant mutex around this
	// whole method, and as such we have to ensure we unlock the mutex.
	defer func() {
		state := i.lifecycler.GetState()
		if i.lifecycler.GetState() == ACTIVE {
			return
		}

		level.Error(logger).Log("msg", "TransferChunks failed, not in ACTIVE state.", "state", state)

		// Enter PENDING state (only valid from JOINING)
		if i.lifecycler.GetState() == JOINING {
			if err := i.lifecycler.ChangeState(stream.Context(), PENDING); err != nil {
				level.Error(logger).Log("msg", "error rolling back failed TransferChunks", "err", err)
				os.Exit(1)
			}
		}
	}()

	fromIngesterID := ""
	seriesReceived := 0

	for {
		chunkSet, err := stream.Recv()
		if err == io.EOF {
			break
		} else if err != nil {
			return err
		}

		// We can't send "extra" fields with a streaming call, so we repeat
		// chunkSet.FromIngesterId and assume it is the same every time around
		// this loop.
		if fromIngesterID == "" {
			fromIngesterID = chunkSet.FromIngesterId
			level.Info(logger).Log("msg", "processing TransferChunks request", "from_ingester", fromIngesterID)
		}

		userCtx := injectOrgID(stream.Context(), chunkSet.UserId)

		instance := i.getOrCreateInstance(chunkSet.UserId)
		for _, chunk := range chunkSet.Chunks {
			if err := instance.consumeChunk(userCtx, chunkSet.Labels, chunk); err != nil {
				return err
			}
		}

		seriesReceived++
	}

	if seriesReceived == 0 {
		level.Error(logger).Log("msg", "received TransferChunks request with no series", "from_ingester", fromIngesterID)
		return fmt.Errorf("no series")
	} else if fromIngesterID == "" {
		level.Error(logger).Log("msg", "received TransferChunks request with no ID from ingester")
		return fmt.Errorf("no ingester id")
	}

	if err := i.lifecycler.ClaimTokensFor(stream.Context(), fromIngesterID); err != nil {
		return err
	}

	if err := i.lifecycler.ChangeState(stream.Context(), ACTIVE); err != nil {
		return err
	}

	// Close the stream last, as this is what tells the "from" ingester that
	// it's OK to shut down.
	if err := stream.SendAndClose(&TransferChunksResponse{}); err != nil {
		level.Error(logger).Log("msg", "Error closing TransferChunks stream", "from_ingester", fromIngesterID, "err", err)
		return err
	}
	level.Info(logger).Log("msg", "Successfully transferred chunks", "from_ingester", fromIngesterID, "series_received", seriesReceived)
	return nil
}

// New builds an ingester whose ring state lives in Consul at consulAddr.
func New(ctx context.Context, id, addr, consulAddr string) *Ingester {
	kv := &consulClient{addr: consulAddr, client: &http.Client{}}
	return &Ingester{
		lifecycler: NewLifecycler(ctx, id, addr, kv),
		logger:     stdLogger{log.New(os.Stderr, "", log.LstdFlags)},
		instances:  map[string]*instance{},
	}
}
