// Recall case nd-slog-slack-postwebhook
// Source: github.com/samber/slog-slack commit b00360dff1402e0d65b16acb93838283c8e70447 (handler.go)
// Link: https://github.com/samber/slog-slack/commit/b00360dff1402e0d65b16acb93838283c8e70447
// Bug: postMessage sends webhook messages with slack.PostWebhook, which has no context and uses an http.Client without Timeout, so a stuck Slack endpoint blocks the logging goroutine forever (only the bot-token path had the Option.Timeout).
// Fix: the timeout context is created first and the webhook path uses slack.PostWebhookContext(ctx, ...).
// Rule: nodeadline
package slogslack

import (
	"context"
	"log/slog"
	"time"
)

type Option struct {
	Level      slog.Leveler
	WebhookURL string
	BotToken   string
	Channel    string
	Username   string
	IconEmoji  string
	IconURL    string

	Timeout time.Duration // default: 10s
}

func (o Option) NewSlackHandler() slog.Handler {
	if o.Level == nil {
		o.Level = slog.LevelDebug
	}
	if o.WebhookURL == "" && o.BotToken == "" {
		panic("missing Slack webhook url and bot token")
	}
	if o.Timeout == 0 {
		o.Timeout = 10 * time.Second
	}
	return &SlackHandler{option: o}
}

var _ slog.Handler = (*SlackHandler)(nil)

type SlackHandler struct {
	option Option
	attrs  []slog.Attr
	groups []string
}

func (h *SlackHandler) Enabled(_ context.Context, level slog.Level) bool {
	return level >= h.option.Level.Level()
}

func (h *SlackHandler) Handle(ctx context.Context, record slog.Record) error {
	message := &WebhookMessage{Text: record.Message}
	if h.option.Channel != "" {
		message.Channel = h.option.Channel
	}
	if h.option.Username != "" {
		message.Username = h.option.Username
	}
	if h.option.IconEmoji != "" {
		message.IconEmoji = h.option.IconEmoji
	}
	if h.option.IconURL != "" {
		message.IconURL = h.option.IconURL
	}

	go func() {
		_ = h.postMessage(message)
	}()

	return nil
}

func (h *SlackHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &SlackHandler{option: h.option, attrs: append(h.attrs, attrs...), groups: h.groups}
}

func (h *SlackHandler) WithGroup(name string) slog.Handler {
	return &SlackHandler{option: h.option, attrs: h.attrs, groups: append(h.groups, name)}
}

func (h *SlackHandler) postMessage(message *WebhookMessage) error {
	if h.option.WebhookURL != "" {
		return PostWebhook(h.option.WebhookURL, message)
	}

	ctx, cancel := context.WithTimeout(context.Background(), h.option.Timeout)
	defer cancel()

	_, _, err := New(h.option.BotToken).PostMessageContext(
		ctx,
		message.Channel,
		message.Text,
		message.Username,
		message.IconURL,
		message.IconEmoji,
	)
	return err
}
