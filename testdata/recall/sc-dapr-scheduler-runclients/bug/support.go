// Recall case sc-dapr-scheduler-runclients
// Source: github.com/dapr/dapr commit 04e6006f09b9215ff7b17db4a7758e42a60d16fd (pkg/runtime/scheduler/internal/cluster/cluster.go)
// Link: https://github.com/dapr/dapr/commit/04e6006f09b9215ff7b17db4a7758e42a60d16fd
// Bug: Cluster.RunClients turns a context.Canceled from c.loop into success ("if errors.Is(err, context.Canceled) { return nil }") and formats other errors with %v, so cancellation of the job watch is reported as a clean exit and the cause is not wrapped.
// Fix: return the parent ctx.Err() when ctx is done, and wrap the watch error with %w.
// Rule: swallowcancel
package cluster

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
)

// ---- stand-in for the scheduler gRPC client (WatchJobs server stream) ----

// WatchJobsRequest mirrors schedulerv1pb.WatchJobsRequestInitial.
type WatchJobsRequest struct {
	AppID      string   `json:"appId"`
	Namespace  string   `json:"namespace"`
	AppTarget  bool     `json:"appTarget"`
	ActorTypes []string `json:"actorTypes"`
}

// WatchJobsResponse mirrors schedulerv1pb.WatchJobsResponse.
type WatchJobsResponse struct {
	ID   uint64 `json:"id"`
	Name string `json:"name"`
}

// SchedulerClient stands in for schedulerv1pb.SchedulerClient; a stream's
// only bound is the ctx it was opened with, as with gRPC.
type SchedulerClient struct {
	Addr string
	HC   *http.Client
}

// WatchJobsStream mirrors Scheduler_WatchJobsClient.
type WatchJobsStream struct {
	resp *http.Response
	dec  *json.Decoder
}

// WatchJobs opens the server stream.
func (s *SchedulerClient) WatchJobs(ctx context.Context, initial *WatchJobsRequest) (*WatchJobsStream, error) {
	body, err := json.Marshal(initial)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+s.Addr+"/dapr.proto.scheduler.v1.Scheduler/WatchJobs", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	resp, err := s.HC.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, fmt.Errorf("watch jobs: status %d", resp.StatusCode)
	}
	return &WatchJobsStream{resp: resp, dec: json.NewDecoder(resp.Body)}, nil
}

// Recv reads the next job trigger.
func (w *WatchJobsStream) Recv() (*WatchJobsResponse, error) {
	var r WatchJobsResponse
	if err := w.dec.Decode(&r); err != nil {
		return nil, err
	}
	return &r, nil
}

// Close ends the stream.
func (w *WatchJobsStream) Close() error { return w.resp.Body.Close() }

// Clients mirrors internal/clients.Clients.
type Clients struct {
	clients []*SchedulerClient
}

// NewClients builds the client set.
func NewClients(cls ...*SchedulerClient) *Clients { return &Clients{clients: cls} }

// All returns all scheduler clients.
func (c *Clients) All() []*SchedulerClient { return c.clients }

// connector mirrors cluster/connector.go: one WatchJobs stream per scheduler.
type connector struct {
	req     *WatchJobsRequest
	client  *SchedulerClient
	readyCh chan struct{}
}

func (c *connector) run(ctx context.Context) error {
	stream, err := c.client.WatchJobs(ctx, c.req)
	if err != nil {
		return err
	}
	defer stream.Close()
	close(c.readyCh)

	for {
		if _, err := stream.Recv(); err != nil {
			return err
		}
	}
}

// runAll mirrors dapr/kit concurrency.RunnerManager.Run: runs every runner,
// cancels the rest as soon as one returns, and joins their errors.
func runAll(ctx context.Context, runners ...func(context.Context) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	errCh := make(chan error, len(runners))
	for _, r := range runners {
		go func(r func(context.Context) error) {
			errCh <- r(ctx)
		}(r)
	}

	errs := make([]error, 0, len(runners))
	for range runners {
		err := <-errCh
		cancel()
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
