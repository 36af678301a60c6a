// Recall case nd-boundary-clusterreqdeadline
// Source: github.com/hashicorp/boundary commit a2c529b9d14898bdfbacaf00165c2ba42941d849 (internal/daemon/controller/interceptor.go, internal/daemon/controller/listeners.go)
// Link: https://github.com/hashicorp/boundary/commit/a2c529b9d14898bdfbacaf00165c2ba42941d849
// Bug: the cluster gRPC server built in Controller.configureForCluster hands each worker request context (no deadline) straight to handlers such as workerServiceServer.LookupSession, whose session.Repository.LookupSession runs DB transactions that can wait forever (e.g. for a pooled connection).
// Fix: add requestMaxDurationInterceptor to the unary interceptor chain, wrapping every request context in context.WithTimeout(ctx, ln.Config.MaxRequestDuration).
// Rule: nodeadline
package controller

import (
	"context"
	"encoding/json"
	"fmt"
)

type LookupSessionRequest struct {
	WorkerId  string `json:"worker_id"`
	SessionId string `json:"session_id"`
}

type LookupSessionResponse struct {
	SessionId string `json:"session_id"`
	Status    string `json:"status"`
}

type workerServiceServer struct {
	sessionRepoFn func() (*Repository, error)
}

func (ws *workerServiceServer) LookupSession(ctx context.Context, req *LookupSessionRequest) (*LookupSessionResponse, error) {
	if req.WorkerId == "" {
		return nil, fmt.Errorf("Did not receive worker id when looking up session")
	}

	sessRepo, err := ws.sessionRepoFn()
	if err != nil {
		return nil, fmt.Errorf("Error getting session repo: %v", err)
	}

	sessionInfo, err := sessRepo.LookupSession(ctx, req.SessionId)
	if err != nil {
		return nil, fmt.Errorf("Error looking up session: %v", err)
	}
	if sessionInfo == nil {
		return nil, fmt.Errorf("Unknown session ID.")
	}
	return &LookupSessionResponse{SessionId: sessionInfo.PublicId, Status: sessionInfo.Status}, nil
}

// registration glue (generated code in upstream)
func registerWorkerService(s *grpcServer, ws *workerServiceServer) {
	s.RegisterMethod("/controller.servers.services.v1.ServerCoordinationService/LookupSession",
		func(ctx context.Context, raw any) (any, error) {
			var req LookupSessionRequest
			if err := json.Unmarshal(raw.([]byte), &req); err != nil {
				return nil, err
			}
			return ws.LookupSession(ctx, &req)
		})
}
