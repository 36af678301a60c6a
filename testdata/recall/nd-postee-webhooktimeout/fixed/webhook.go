// Recall case nd-postee-webhooktimeout
// Source: github.com/aquasecurity/postee commit ea01f2c9b9c346e6edc40da6f8228a6b9def891c (outputs/webhook.go)
// Link: https://github.com/aquasecurity/postee/commit/ea01f2c9b9c346e6edc40da6f8228a6b9def891c
// Bug: WebhookOutput.Send posts to the configured webhook URL with http.Post (http.DefaultClient, no Timeout), so an unresponsive webhook endpoint blocks the sender forever.
// Fix: Send builds an http.Client with a Timeout (configurable, default 120s) via newClient and posts through it.
// Rule: nodeadline
package outputs

import (
	"fmt"
	"io"
	"log"
	"net/http"
	"strings"
	"time"
)

// LayoutProvider stands in for postee's layout.LayoutProvider.
type LayoutProvider interface {
	TitleH2(title string) string
}

type htmlProvider struct{}

func (htmlProvider) TitleH2(title string) string { return "<h2>" + title + "</h2>" }

type WebhookOutput struct {
	Name    string
	Url     string
	Timeout string
}

func (webhook *WebhookOutput) GetName() string {
	return webhook.Name
}

func (webhook *WebhookOutput) Init() error {
	log.Printf("Starting Webhook output %q, for sending to %q",
		webhook.Name, webhook.Url)
	return nil
}

func (webhook *WebhookOutput) Send(content map[string]string) error {
	log.Printf("Sending webhook to %q", webhook.Url)
	data := content["description"] //it's not supposed to work with legacy renderer
	client, err := newClient(webhook.Timeout)
	if err != nil {
		return err
	}
	resp, err := client.Post(webhook.Url, "application/json", strings.NewReader(data))
	if err != nil {
		log.Printf("Sending webhook Error: %v", err)
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		log.Printf("Sending %q Error: %v", webhook.Name, err)
		return err
	}

	if resp.StatusCode != http.StatusOK {
		msg := "Sending webhook wrong status: '%d'. Body: %s"
		log.Printf(msg, resp.StatusCode, body)
		return fmt.Errorf(msg, resp.StatusCode, body)
	}
	log.Printf("Sending Webhook to %q was successful!", webhook.Name)
	return nil
}

func (webhook *WebhookOutput) Terminate() error {
	log.Printf("Webhook output %q terminated.", webhook.Name)
	return nil
}

func (webhook *WebhookOutput) GetLayoutProvider() LayoutProvider {
	return htmlProvider{}
}

var newClient = func(timeout string) (http.Client, error) {
	if len(timeout) == 0 || timeout == "0" {
		timeout = "120s"
	}
	duration, err := time.ParseDuration(timeout)
	if err != nil {
		return http.Client{}, fmt.Errorf("invalid duration specified: %w", err)
	}
	return http.Client{Timeout: duration}, nil
}
