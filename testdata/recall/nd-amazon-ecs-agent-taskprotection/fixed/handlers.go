// Recall case nd-amazon-ecs-agent-taskprotection
// Source: github.com/aws/amazon-ecs-agent commit 605a6d77c8e1ad2158ff5c7c46d049b3f065b655 (agent/handlers/agentapi/taskprotection/v1/handlers/handlers.go)
// Link: https://github.com/aws/amazon-ecs-agent/commit/605a6d77c8e1ad2158ff5c7c46d049b3f065b655
// Bug: The task-protection HTTP handlers call the ECS API through the SDK's context-less UpdateTaskProtection/GetTaskProtection methods, so the outbound call has no deadline (and ignores r.Context()); a slow ECS endpoint hangs the agent handler past the server's write timeout.
// Fix: the handlers derive ctx, cancel := context.WithTimeout(r.Context(), ecsCallTimeout) and call the ...WithContext SDK methods.
// Rule: nodeadline
package handlers

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

const (
	ExpectedProtectionResponseLength = 1

	// timeout for ECS SDK calls
	// must be lower than server write timeout
	ecsCallTimeout = 4 * time.Second
)

type UpdateTaskProtectionInput struct {
	Cluster           *string
	ExpiresInMinutes  *int64
	ProtectionEnabled *bool
	Tasks             []*string
}

type UpdateTaskProtectionOutput struct {
	ProtectedTasks []json.RawMessage
	Failures       []json.RawMessage
}

type GetTaskProtectionInput struct {
	Cluster *string
	Tasks   []*string
}

type GetTaskProtectionOutput = UpdateTaskProtectionOutput

// ECSTaskProtectionSDK is an interface with customized ecs client that
// implements the UpdateTaskProtection and GetTaskProtection
type ECSTaskProtectionSDK interface {
	UpdateTaskProtection(input *UpdateTaskProtectionInput) (*UpdateTaskProtectionOutput, error)
	UpdateTaskProtectionWithContext(ctx context.Context, input *UpdateTaskProtectionInput) (*UpdateTaskProtectionOutput, error)
	GetTaskProtection(input *GetTaskProtectionInput) (*GetTaskProtectionOutput, error)
	GetTaskProtectionWithContext(ctx context.Context, input *GetTaskProtectionInput) (*GetTaskProtectionOutput, error)
}

// ecsSDKClient stands in for the aws-sdk-go ECS client: a plain *http.Client
// (no Timeout, like the SDK default) posting JSON to the ECS endpoint.
type ecsSDKClient struct {
	endpoint   string
	httpClient *http.Client
}

func (c *ecsSDKClient) call(ctx context.Context, target string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("X-Amz-Target", target)
	resp, err := c.httpClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("ecs: status %d", resp.StatusCode)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

func (c *ecsSDKClient) UpdateTaskProtection(input *UpdateTaskProtectionInput) (*UpdateTaskProtectionOutput, error) {
	return c.UpdateTaskProtectionWithContext(context.Background(), input)
}

func (c *ecsSDKClient) UpdateTaskProtectionWithContext(ctx context.Context, input *UpdateTaskProtectionInput) (*UpdateTaskProtectionOutput, error) {
	out := &UpdateTaskProtectionOutput{}
	return out, c.call(ctx, "UpdateTaskProtection", input, out)
}

func (c *ecsSDKClient) GetTaskProtection(input *GetTaskProtectionInput) (*GetTaskProtectionOutput, error) {
	return c.GetTaskProtectionWithContext(context.Background(), input)
}

func (c *ecsSDKClient) GetTaskProtectionWithContext(ctx context.Context, input *GetTaskProtectionInput) (*GetTaskProtectionOutput, error) {
	out := &GetTaskProtectionOutput{}
	return out, c.call(ctx, "GetTaskProtection", input, out)
}

// TaskProtectionClientFactory creates ECS clients for task protection calls.
type TaskProtectionClientFactory struct {
	Endpoint string
}

func (factory TaskProtectionClientFactory) newTaskProtectionClient() ECSTaskProtectionSDK {
	return &ecsSDKClient{endpoint: factory.Endpoint, httpClient: &http.Client{}}
}

type TaskProtectionRequest struct {
	ProtectionEnabled *bool
	ExpiresInMinutes  *int64
}

func writeJSONResponse(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// UpdateTaskProtectionHandler returns an HTTP request handler function for
// UpdateTaskProtection API
func UpdateTaskProtectionHandler(factory TaskProtectionClientFactory, cluster string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		var request TaskProtectionRequest
		if err := json.NewDecoder(r.Body).Decode(&request); err != nil || request.ProtectionEnabled == nil {
			writeJSONResponse(w, http.StatusBadRequest, map[string]string{"error": "failed to decode request"})
			return
		}
		taskArn := r.URL.Query().Get("task")
		ecsClient := factory.newTaskProtectionClient()

		ctx, cancel := context.WithTimeout(r.Context(), ecsCallTimeout)
		defer cancel()
		response, err := ecsClient.UpdateTaskProtectionWithContext(ctx, &UpdateTaskProtectionInput{
			Cluster:           &cluster,
			ExpiresInMinutes:  request.ExpiresInMinutes,
			ProtectionEnabled: request.ProtectionEnabled,
			Tasks:             []*string{&taskArn},
		})
		if err != nil {
			writeJSONResponse(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
			return
		}
		if len(response.Failures) > 0 {
			writeJSONResponse(w, http.StatusOK, response.Failures[0])
			return
		}
		if len(response.ProtectedTasks) > ExpectedProtectionResponseLength {
			writeJSONResponse(w, http.StatusInternalServerError, map[string]string{"error": "Unexpected error occurred"})
			return
		}
		writeJSONResponse(w, http.StatusOK, response.ProtectedTasks)
	}
}

// GetTaskProtectionHandler returns a handler function for GetTaskProtection API
func GetTaskProtectionHandler(factory TaskProtectionClientFactory, cluster string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		taskArn := r.URL.Query().Get("task")
		ecsClient := factory.newTaskProtectionClient()

		ctx, cancel := context.WithTimeout(r.Context(), ecsCallTimeout)
		defer cancel()
		response, err := ecsClient.GetTaskProtectionWithContext(ctx, &GetTaskProtectionInput{
			Cluster: &cluster,
			Tasks:   []*string{&taskArn},
		})
		if err != nil {
			writeJSONResponse(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
			return
		}
		if len(response.Failures) > 0 {
			writeJSONResponse(w, http.StatusOK, response.Failures[0])
			return
		}
		writeJSONResponse(w, http.StatusOK, response.ProtectedTasks)
	}
}
