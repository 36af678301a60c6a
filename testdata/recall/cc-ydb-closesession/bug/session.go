// Recall case cc-ydb-closesession
// Source: github.com/ydb-platform/ydb-go-sdk commit c5333aad8b54154b27b2ea6a174729956a26107d (internal/table/session.go)
// Link: https://github.com/ydb-platform/ydb-go-sdk/commit/c5333aad8b54154b27b2ea6a174729956a26107d
// Bug: After the pool's done channel is closed, putItem/closeItem hand Session.Close a ctx that is already done (WithDone(..., p.done)); closeTableSession then returns ctx.Err() without sending DeleteSession, leaking the server-side session until its idle timeout.
// Fix: closeTableSession detaches from the caller's cancellation (ctx = xcontext.ValueOnly(ctx), i.e. context.WithoutCancel) when ctx is done, and still sends DeleteSession bounded by DeleteTimeout.
// Rule: cleanupctx
package table

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// Config is a reduced stand-in for internal/table/config.Config.
type Config struct {
	deleteTimeout time.Duration
}

// DeleteTimeout is the timeout used for DeleteSession.
func (c *Config) DeleteTimeout() time.Duration { return c.deleteTimeout }

// DeleteSessionRequest is the request body of DeleteSession.
type DeleteSessionRequest struct {
	SessionId string `json:"session_id"`
}

// TableServiceClient is a reduced stand-in for Ydb_Table_V1.TableServiceClient.
type TableServiceClient interface {
	DeleteSession(ctx context.Context, in *DeleteSessionRequest) error
}

type httpTableServiceClient struct {
	endpoint string
	hc       *http.Client
}

func (c *httpTableServiceClient) DeleteSession(ctx context.Context, in *DeleteSessionRequest) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint+"/Ydb.Table.V1.TableService/DeleteSession", bytes.NewReader(body))
	if err != nil {
		return err
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("delete session %s: status %d", in.SessionId, resp.StatusCode)
	}
	return nil
}

// Session is a table service session.
type Session struct {
	closeOnce func(ctx context.Context) error
	id        string
	client    TableServiceClient
	config    *Config
}

func newTableSession(endpoint, id string, config *Config) *Session {
	s := &Session{
		id:     id,
		config: config,
		client: &httpTableServiceClient{endpoint: endpoint, hc: &http.Client{}},
	}
	s.closeOnce = onceFunc(closeTableSession(s.client, s.config, s.id))
	return s
}

func onceFunc(f func(context.Context) error) func(context.Context) error {
	var (
		once sync.Once
		err  error
	)
	return func(ctx context.Context) error {
		once.Do(func() { err = f(ctx) })
		return err
	}
}

func closeTableSession(c TableServiceClient, cfg *Config, id string) func(context.Context) error {
	return func(ctx context.Context) error {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("close session: %w", err)
		}

		if t := cfg.DeleteTimeout(); t > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, t)
			defer cancel()
		}

		err := c.DeleteSession(ctx,
			&DeleteSessionRequest{
				SessionId: id,
			},
		)
		if err != nil {
			return fmt.Errorf("close session: %w", err)
		}

		return nil
	}
}

// Close deletes the session on the server.
func (s *Session) Close(ctx context.Context) (finalErr error) {
	if s.closeOnce != nil {
		err := s.closeOnce(ctx)
		if err != nil {
			return fmt.Errorf("session %s: %w", s.id, err)
		}
	}

	return nil
}
