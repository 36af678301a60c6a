// Recall case sd-golivepeer-aiprocess
// Source: github.com/livepeer/go-livepeer commit 72dced7b710e407248f019117cee5e1777d00285 (server/ai_process.go)
// Link: https://github.com/livepeer/go-livepeer/commit/72dced7b710e407248f019117cee5e1777d00285
// Bug: processAIRequest bounds its orchestrator select/submit retry loop with context.WithTimeout(context.Background(), processingRetryTimeout), so the retry budget ignores the caller ctx: after the request is cancelled the loop keeps selecting and re-submitting until the fresh 2s budget expires.
// Fix: the retry context is derived from the caller ctx (context.WithTimeout(ctx, processingRetryTimeout)) and the loop exits via select on cctx.Done().
// Rule: sharedeadline
package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log"
	"net/http"
	"strings"
	"sync"
	"time"
)

const processingRetryTimeout = 2 * time.Second
const defaultTextToImageModelID = "stabilityai/sdxl-turbo"

var httpClient = &http.Client{Timeout: 30 * time.Second}

type ServiceUnavailableError struct {
	err error
}

func (e *ServiceUnavailableError) Error() string {
	return e.err.Error()
}

type TextToImageJSONRequestBody struct {
	ModelId *string `json:"model_id,omitempty"`
	Prompt  string  `json:"prompt"`
	Height  *int    `json:"height,omitempty"`
	Width   *int    `json:"width,omitempty"`
}

type ImageResponse struct {
	Images []struct {
		Url string `json:"url"`
	} `json:"images"`
}

type AISession struct {
	transcoder string
}

func (s *AISession) Transcoder() string { return s.transcoder }

// AISessionManager is a reduced stand-in for the orchestrator session pool.
type AISessionManager struct {
	mu    sync.Mutex
	pool  []*AISession
	inUse map[*AISession]bool
}

func (m *AISessionManager) Select(ctx context.Context, cap string, modelID string) (*AISession, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, s := range m.pool {
		if !m.inUse[s] {
			m.inUse[s] = true
			return s, nil
		}
	}
	return nil, nil
}

func (m *AISessionManager) Complete(ctx context.Context, sess *AISession) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.inUse, sess)
}

func (m *AISessionManager) Remove(ctx context.Context, sess *AISession) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.inUse, sess)
	for i, s := range m.pool {
		if s == sess {
			m.pool = append(m.pool[:i], m.pool[i+1:]...)
			break
		}
	}
}

type aiRequestParams struct {
	sessManager *AISessionManager
}

func submitTextToImage(ctx context.Context, params aiRequestParams, sess *AISession, req TextToImageJSONRequestBody) (*ImageResponse, error) {
	if req.Height == nil {
		req.Height = new(int)
		*req.Height = 512
	}
	if req.Width == nil {
		req.Width = new(int)
		*req.Width = 512
	}

	body, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	httpReq, err := http.NewRequestWithContext(ctx, http.MethodPost, sess.Transcoder()+"/text-to-image", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	httpReq.Header.Set("Content-Type", "application/json")
	resp, err := httpClient.Do(httpReq)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()

	if resp.StatusCode != http.StatusOK {
		var b bytes.Buffer
		_, _ = b.ReadFrom(resp.Body)
		return nil, errors.New(strings.TrimSuffix(b.String(), "\n"))
	}
	var out ImageResponse
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return nil, err
	}
	return &out, nil
}

func processAIRequest(ctx context.Context, params aiRequestParams, req interface{}) (*ImageResponse, error) {
	var cap string
	var modelID string
	var submitFn func(context.Context, aiRequestParams, *AISession) (*ImageResponse, error)

	switch v := req.(type) {
	case TextToImageJSONRequestBody:
		cap = "text-to-image"
		modelID = defaultTextToImageModelID
		if v.ModelId != nil {
			modelID = *v.ModelId
		}
		submitFn = func(ctx context.Context, params aiRequestParams, sess *AISession) (*ImageResponse, error) {
			return submitTextToImage(ctx, params, sess, v)
		}
	default:
		return nil, errors.New("unknown AI request type")
	}

	var resp *ImageResponse

	cctx, cancel := context.WithTimeout(context.Background(), processingRetryTimeout)
	defer cancel()

	tries := 0
	for {
		tries++

		sess, err := params.sessManager.Select(ctx, cap, modelID)
		if err != nil {
			log.Printf("Error selecting session cap=%v modelID=%v err=%v", cap, modelID, err)
			continue
		}

		if sess == nil {
			break
		}

		resp, err = submitFn(ctx, params, sess)
		if err == nil {
			params.sessManager.Complete(ctx, sess)
			break
		}

		log.Printf("Error submitting request cap=%v modelID=%v try=%v orch=%v err=%v", cap, modelID, tries, sess.Transcoder(), err)

		params.sessManager.Remove(ctx, sess)

		if cctx.Err() == context.DeadlineExceeded {
			break
		}
	}

	if resp == nil {
		return nil, &ServiceUnavailableError{err: errors.New("no orchestrators available")}
	}

	return resp, nil
}
