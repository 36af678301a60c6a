// Recall case nd-slog-slack-postwebhook
// Source: github.com/samber/slog-slack commit b00360dff1402e0d65b16acb93838283c8e70447 (handler.go)
// Link: https://github.com/samber/slog-slack/commit/b00360dff1402e0d65b16acb93838283c8e70447
// Bug: postMessage sends webhook messages with slack.PostWebhook, which has no context and uses an http.Client without Timeout, so a stuck Slack endpoint blocks the logging goroutine forever (only the bot-token path had the Option.Timeout).
// Fix: the timeout context is created first and the webhook path uses slack.PostWebhookContext(ctx, ...).
// Rule: nodeadline
package slogslack

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
)

// Local stand-in for github.com/slack-go/slack.

type WebhookMessage struct {
	Channel   string `json:"channel,omitempty"`
	Username  string `json:"username,omitempty"`
	IconEmoji string `json:"icon_emoji,omitempty"`
	IconURL   string `json:"icon_url,omitempty"`
	Text      string `json:"text,omitempty"`
}

// PostWebhook posts msg to the webhook url, without any context
// (like slack.PostWebhook: a fresh http.Client{} with no Timeout).
func PostWebhook(webhookURL string, msg *WebhookMessage) error {
	raw, err := json.Marshal(msg)
	if err != nil {
		return err
	}
	client := &http.Client{}
	resp, err := client.Post(webhookURL, "application/json", bytes.NewReader(raw))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("slack webhook: %s", resp.Status)
	}
	return nil
}

// PostWebhookContext posts msg to the webhook url using ctx.
func PostWebhookContext(ctx context.Context, webhookURL string, msg *WebhookMessage) error {
	raw, err := json.Marshal(msg)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, webhookURL, bytes.NewReader(raw))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("slack webhook: %s", resp.Status)
	}
	return nil
}

type Client struct {
	token string
	http  *http.Client
}

func New(token string) *Client { return &Client{token: token, http: &http.Client{}} }

// PostMessageContext calls chat.postMessage with ctx.
func (c *Client) PostMessageContext(ctx context.Context, channel, text, username, iconURL, iconEmoji string) (string, string, error) {
	form := url.Values{}
	form.Set("channel", channel)
	form.Set("text", text)
	form.Set("username", username)
	form.Set("icon_url", iconURL)
	form.Set("icon_emoji", iconEmoji)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "https://slack.com/api/chat.postMessage", bytes.NewBufferString(form.Encode()))
	if err != nil {
		return "", "", err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.http.Do(req)
	if err != nil {
		return "", "", err
	}
	defer resp.Body.Close()
	return channel, "", nil
}
