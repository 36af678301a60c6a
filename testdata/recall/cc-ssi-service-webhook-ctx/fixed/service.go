// Recall case cc-ssi-service-webhook-ctx
// Source: github.com/TBD54566975/ssi-service commit 2dbfc4d32b6dd9679ec819bc79656e2f7a112fa0 (pkg/service/webhook/service.go, pkg/server/middleware/webhook.go)
// Link: https://github.com/TBD54566975/ssi-service/commit/2dbfc4d32b6dd9679ec819bc79656e2f7a112fa0
// Bug: the Webhook middleware starts "go PublishWebhook(ctx, ...)" with the request context; the goroutine runs after the handler has returned, when that ctx is already cancelled, so every webhook POST fails with "context canceled" (and the storage lookup uses context.Background with no deadline).
// Fix: PublishWebhook no longer takes the request ctx; it creates its own context.WithTimeout(context.Background(), s.timeoutDuration) for the lookup and the POSTs.
// Rule: cleanupctx
package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"time"
)

type Noun string
type Verb string

type Payload struct {
	Noun Noun   `json:"noun"`
	Verb Verb   `json:"verb"`
	URL  string `json:"url"`
	Data string `json:"data"`
}

type Service struct {
	storage         *Storage
	httpClient      *http.Client
	timeoutDuration time.Duration
}

func NewWebhookService(s *Storage, webhookTimeout string) (*Service, error) {
	duration, err := time.ParseDuration(webhookTimeout)
	if err != nil {
		return nil, fmt.Errorf("parsing webhook timeout: %w", err)
	}
	return &Service{storage: s, httpClient: &http.Client{Transport: http.DefaultTransport}, timeoutDuration: duration}, nil
}

func (s Service) PublishWebhook(noun Noun, verb Verb, payloadReader io.Reader) {
	ctx, cancel := context.WithTimeout(context.Background(), s.timeoutDuration)
	defer cancel()

	webhook, err := s.storage.GetWebhook(ctx, string(noun), string(verb))
	if err != nil {
		log.Printf("get webhook: %v", err)
		return
	}

	if webhook == nil {
		return
	}

	payloadBytes, err := io.ReadAll(payloadReader)
	if err != nil {
		log.Printf("converting payload to bytes: %v", err)
		return
	}

	postPayload := Payload{Noun: noun, Verb: verb, Data: string(payloadBytes)}
	for _, url := range webhook.URLS {
		postPayload.URL = url
		postJSONData, err := json.Marshal(postPayload)
		if err != nil {
			log.Print("marshal payload")
			continue
		}

		err = s.post(ctx, url, string(postJSONData))
		if err != nil {
			log.Printf("posting payload to %s", url)
		}
	}
}

func (s Service) post(ctx context.Context, url string, json string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewBuffer([]byte(json)))
	if err != nil {
		return fmt.Errorf("building http req: %w", err)
	}

	req.Header.Set("Content-Type", "application/json")

	resp, err := s.httpClient.Do(req)
	if err != nil {
		return fmt.Errorf("client http client: %w", err)
	}
	defer resp.Body.Close()

	if resp.StatusCode/100 != 2 {
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			return fmt.Errorf("parsing body: %w", err)
		}
		return fmt.Errorf("status code %v not in the 200s. body: %s", resp.StatusCode, string(body))
	}

	return nil
}
