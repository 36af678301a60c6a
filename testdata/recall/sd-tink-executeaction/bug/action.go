// Recall case sd-tink-executeaction
// Source: github.com/tinkerbell/tink commit 845cc32b377e730c4f8b9891450444bab003fef5 (cmd/tink-worker/action.go)
// Link: https://github.com/tinkerbell/tink/commit/845cc32b377e730c4f8b9891450444bab003fef5
// Bug: executeAction receives ctx but builds the action's time budget with context.WithTimeout(context.Background(), ...), so starting and waiting on the action container ignores the caller's cancellation/deadline.
// Fix: the action timeout is derived from the caller's ctx (context.WithTimeout(ctx, ...)), and ctx itself is used when no action timeout is set.
// Rule: sharedeadline
package worker

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"time"
)

type ActionState int

const (
	ActionStateInProgress ActionState = iota
	ActionStateSuccess
	ActionStateFailed
	ActionStateTimeout
)

type WorkflowAction struct {
	Name     string
	Image    string
	Command  []string
	Timeout  int64
	WorkerID string
}

// dockerClient is a stand-in for the docker engine API client: every call
// is an HTTP request to the daemon carrying the given ctx.
type dockerClient struct {
	host string
	hc   *http.Client
}

func (c *dockerClient) do(ctx context.Context, method, path string, in, out interface{}) error {
	var body bytes.Buffer
	if in != nil {
		if err := json.NewEncoder(&body).Encode(in); err != nil {
			return err
		}
	}
	req, err := http.NewRequestWithContext(ctx, method, c.host+path, &body)
	if err != nil {
		return err
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		return fmt.Errorf("docker API %s %s: %s", method, path, resp.Status)
	}
	if out != nil {
		return json.NewDecoder(resp.Body).Decode(out)
	}
	return nil
}

var cli = &dockerClient{host: "http://localhost:2375", hc: &http.Client{}}

func executeAction(ctx context.Context, action *WorkflowAction, wfID string) (ActionState, error) {
	id, err := createContainer(ctx, action, action.Command, wfID)
	if err != nil {
		return ActionStateInProgress, fmt.Errorf("DOCKER CREATE: %w", err)
	}
	log.Printf("container created containerID=%s", id)

	var timeCtx context.Context
	var cancel context.CancelFunc
	if action.Timeout > 0 {
		timeCtx, cancel = context.WithTimeout(context.Background(), time.Duration(action.Timeout)*time.Second)
	} else {
		timeCtx, cancel = context.WithTimeout(context.Background(), 1*time.Hour)
	}
	defer cancel()
	err = startContainer(timeCtx, id)
	if err != nil {
		return ActionStateInProgress, fmt.Errorf("DOCKER RUN: %w", err)
	}

	status, err := waitContainer(timeCtx, id)
	if err != nil {
		rerr := removeContainer(ctx, id)
		if rerr != nil {
			log.Printf("failed to remove container %s: %v", id, rerr)
			return status, rerr
		}
		return status, fmt.Errorf("DOCKER_WAIT: %w", err)
	}
	rerr := removeContainer(ctx, id)
	if rerr != nil {
		return status, fmt.Errorf("DOCKER_REMOVE: %w", rerr)
	}
	log.Printf("action container exited status=%d", status)
	return status, nil
}

func createContainer(ctx context.Context, action *WorkflowAction, cmd []string, wfID string) (string, error) {
	config := map[string]interface{}{
		"Image": action.Image,
		"Cmd":   cmd,
		"Binds": []string{"/worker/" + wfID + ":/workflow"},
	}
	var resp struct{ ID string }
	if err := cli.do(ctx, http.MethodPost, "/containers/create?name="+action.Name, config, &resp); err != nil {
		return "", fmt.Errorf("DOCKER CREATE: %w", err)
	}
	return resp.ID, nil
}

func startContainer(ctx context.Context, id string) error {
	if err := cli.do(ctx, http.MethodPost, "/containers/"+id+"/start", nil, nil); err != nil {
		return fmt.Errorf("DOCKER START: %w", err)
	}
	return nil
}

func waitContainer(ctx context.Context, id string) (ActionState, error) {
	var status struct{ StatusCode int }
	err := cli.do(ctx, http.MethodPost, "/containers/"+id+"/wait?condition=not-running", nil, &status)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
			return ActionStateTimeout, ctx.Err()
		}
		return ActionStateFailed, err
	}
	if status.StatusCode == 0 {
		return ActionStateSuccess, nil
	}
	return ActionStateFailed, nil
}

func removeContainer(ctx context.Context, id string) error {
	return cli.do(ctx, http.MethodDelete, "/containers/"+id+"?force=true&v=true", nil, nil)
}
