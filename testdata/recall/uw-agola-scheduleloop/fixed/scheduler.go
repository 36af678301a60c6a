// Recall case uw-agola-scheduleloop
// Source: github.com/agola-io/agola commit 6f3798e8fe0900541461868d7aa881cc9ff5fd2d (internal/services/scheduler/scheduler.go)
// Link: https://github.com/agola-io/agola/commit/6f3798e8fe0900541461868d7aa881cc9ff5fd2d
// Bug: scheduleLoop and approveLoop receive a ctx but pause between iterations with time.Sleep and never look at ctx.Done(), so cancelling the scheduler's context neither interrupts the wait nor stops the loop goroutines.
// Fix: the sleep is replaced by a select on ctx.Done() (return) and a time.NewTimer channel.
// Rule: uncancellablewait
package scheduler

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"net/url"
	"time"
)

// --- minimal stand-in for agola's runservice api client ---

type Run struct {
	ID    string `json:"id"`
	Group string `json:"group"`
}

type GetRunsResponse struct {
	Runs                    []*Run `json:"runs"`
	ChangeGroupsUpdateToken string `json:"change_groups_update_token"`
}

type Client struct {
	url    string
	client *http.Client
}

func NewClient(u string) *Client {
	return &Client{url: u, client: &http.Client{}}
}

func (c *Client) getParsedResponse(ctx context.Context, path string, query url.Values, obj any) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.url+"/api/v1alpha"+path+"?"+query.Encode(), nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return resp, json.NewDecoder(resp.Body).Decode(obj)
}

func (c *Client) GetQueuedRuns(ctx context.Context, start string) (*GetRunsResponse, *http.Response, error) {
	r := new(GetRunsResponse)
	resp, err := c.getParsedResponse(ctx, "/runs", url.Values{"phase": {"queued"}, "start": {start}}, r)
	return r, resp, err
}

func (c *Client) GetRunningRuns(ctx context.Context, start string) (*GetRunsResponse, *http.Response, error) {
	r := new(GetRunsResponse)
	resp, err := c.getParsedResponse(ctx, "/runs", url.Values{"phase": {"running"}, "start": {start}}, r)
	return r, resp, err
}

func (c *Client) GetGroupFirstQueuedRuns(ctx context.Context, group string) (*GetRunsResponse, *http.Response, error) {
	r := new(GetRunsResponse)
	resp, err := c.getParsedResponse(ctx, "/runs", url.Values{"group": {group}, "phase": {"queued"}, "limit": {"1"}}, r)
	return r, resp, err
}

// --- agola scheduler ---

type Scheduler struct {
	runserviceClient *Client
}

func NewScheduler(runserviceURL string) *Scheduler {
	return &Scheduler{runserviceClient: NewClient(runserviceURL)}
}

func (s *Scheduler) scheduleLoop(ctx context.Context) {
	for {
		if err := s.schedule(ctx); err != nil {
			log.Printf("err: %+v", err)
		}

		sleepCh := time.NewTimer(1 * time.Second).C
		select {
		case <-ctx.Done():
			return
		case <-sleepCh:
		}
	}
}

func (s *Scheduler) schedule(ctx context.Context) error {
	// create a list of project and users with queued runs
	groups := map[string]struct{}{}

	var lastRunID string
	for {
		queuedRunsResponse, _, err := s.runserviceClient.GetQueuedRuns(ctx, lastRunID)
		if err != nil {
			return fmt.Errorf("failed to get queued runs: %w", err)
		}
		for _, run := range queuedRunsResponse.Runs {
			groups[run.Group] = struct{}{}
		}
		if len(queuedRunsResponse.Runs) == 0 {
			break
		}
		lastRunID = queuedRunsResponse.Runs[len(queuedRunsResponse.Runs)-1].ID
	}

	for groupID := range groups {
		if err := s.scheduleRun(ctx, groupID); err != nil {
			log.Printf("scheduler err: %v", err)
		}
	}
	return nil
}

func (s *Scheduler) scheduleRun(ctx context.Context, groupID string) error {
	queuedRunsResponse, _, err := s.runserviceClient.GetGroupFirstQueuedRuns(ctx, groupID)
	if err != nil {
		return fmt.Errorf("failed to get the first project queued run: %w", err)
	}
	if len(queuedRunsResponse.Runs) == 0 {
		return nil
	}
	log.Printf("starting run %s", queuedRunsResponse.Runs[0].ID)
	return nil
}

func (s *Scheduler) approveLoop(ctx context.Context) {
	for {
		if err := s.approve(ctx); err != nil {
			log.Printf("err: %+v", err)
		}

		sleepCh := time.NewTimer(1 * time.Second).C
		select {
		case <-ctx.Done():
			return
		case <-sleepCh:
		}
	}
}

func (s *Scheduler) approve(ctx context.Context) error {
	var lastRunID string
	for {
		runningRunsResponse, _, err := s.runserviceClient.GetRunningRuns(ctx, lastRunID)
		if err != nil {
			return fmt.Errorf("failed to get running runs: %w", err)
		}
		if len(runningRunsResponse.Runs) == 0 {
			break
		}
		lastRunID = runningRunsResponse.Runs[len(runningRunsResponse.Runs)-1].ID
	}
	return nil
}

func (s *Scheduler) Run(ctx context.Context) error {
	go s.scheduleLoop(ctx)
	go s.approveLoop(ctx)

	<-ctx.Done()
	log.Printf("scheduler exiting")
	return nil
}
