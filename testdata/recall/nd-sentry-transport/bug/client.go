// Recall case nd-sentry-transport
// Source: github.com/getsentry/sentry-go commit f01cbeec10975d910a917c40d53294bb505e5206 (transport.go, client.go)
// Link: https://github.com/getsentry/sentry-go/commit/f01cbeec10975d910a917c40d53294bb505e5206
// Bug: httpTransport.Configure builds its http.Client without a Timeout and SendEvent queues requests made with http.NewRequest (no ctx), so httpTransport.worker can block forever in t.client.Do on a stalled Sentry endpoint and every later event backs up behind it
// Fix: the default transport (now HTTPTransport via NewHTTPTransport) gets a Timeout field defaulting to 30s that Configure sets on the http.Client
// Rule: nodeadline
package sentry

import "net/http"

// Event is the reduced sentry.Event.
type Event struct {
	EventID string `json:"event_id"`
	Level   string `json:"level"`
	Message string `json:"message"`
}

// ClientOptions is the reduced sentry.ClientOptions.
type ClientOptions struct {
	Dsn string
	// An optional size of the transport buffer. Defaults to 30.
	BufferSize int
	// An optional pointer to `http.Transport` that will be used with a default HTTPTransport.
	HTTPTransport *http.Transport
	// Transport to use, defaults to the HTTP transport.
	Transport Transport
}

// Client is the reduced sentry.Client.
type Client struct {
	options   ClientOptions
	Transport Transport
}

func NewClient(options ClientOptions) (*Client, error) {
	client := Client{
		options: options,
	}
	client.setupTransport()
	return &client, nil
}

func (client *Client) setupTransport() {
	transport := client.options.Transport

	if transport == nil {
		transport = new(httpTransport)
	}

	transport.Configure(client.options)
	client.Transport = transport
}

// CaptureMessage captures an arbitrary message.
func (client *Client) CaptureMessage(message string) {
	client.Transport.SendEvent(&Event{Level: "info", Message: message})
}
