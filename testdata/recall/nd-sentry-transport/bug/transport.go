// Recall case nd-sentry-transport
// Source: github.com/getsentry/sentry-go commit f01cbeec10975d910a917c40d53294bb505e5206 (transport.go, client.go)
// Link: https://github.com/getsentry/sentry-go/commit/f01cbeec10975d910a917c40d53294bb505e5206
// Bug: httpTransport.Configure builds its http.Client without a Timeout and SendEvent queues requests made with http.NewRequest (no ctx), so httpTransport.worker can block forever in t.client.Do on a stalled Sentry endpoint and every later event backs up behind it
// Fix: the default transport (now HTTPTransport via NewHTTPTransport) gets a Timeout field defaulting to 30s that Configure sets on the http.Client
// Rule: nodeadline
package sentry

import (
	"bytes"
	"encoding/json"
	"io"
	"log"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"
)

const defaultBufferSize = 30
const defaultRetryAfter = time.Second * 60

// Logger is the SDK debug logger (discarded by default, as upstream).
var Logger = log.New(io.Discard, "[Sentry] ", log.LstdFlags)

// Transport is used by the `Client` to deliver events to remote server.
type Transport interface {
	Configure(options ClientOptions)
	SendEvent(event *Event)
}

// httpTransport is a default implementation of `Transport` interface used by `Client`.
type httpTransport struct {
	dsn       *Dsn
	client    *http.Client
	transport *http.Transport

	buffer        chan *http.Request
	disabledUntil time.Time

	start sync.Once
}

// Configure is called by the `Client` itself, providing it it's own `ClientOptions`.
func (t *httpTransport) Configure(options ClientOptions) {
	dsn, err := NewDsn(options.Dsn)
	if err != nil {
		Logger.Printf("%v\n", err)
		return
	}
	t.dsn = dsn

	bufferSize := defaultBufferSize
	if options.BufferSize != 0 {
		bufferSize = options.BufferSize
	}
	t.buffer = make(chan *http.Request, bufferSize)

	if options.HTTPTransport != nil {
		t.transport = options.HTTPTransport
	} else {
		t.transport = &http.Transport{
			Proxy: http.ProxyFromEnvironment,
		}
	}

	t.client = &http.Client{
		Transport: t.transport,
	}

	t.start.Do(func() {
		go t.worker()
	})
}

// SendEvent assembles a new packet out of `Event` and sends it to remote server.
func (t *httpTransport) SendEvent(event *Event) {
	if t.dsn == nil || time.Now().Before(t.disabledUntil) {
		return
	}

	body, _ := json.Marshal(event)

	request, _ := http.NewRequest(
		http.MethodPost,
		t.dsn.StoreAPIURL().String(),
		bytes.NewBuffer(body),
	)

	for headerKey, headerValue := range t.dsn.RequestHeaders() {
		request.Header.Set(headerKey, headerValue)
	}

	select {
	case t.buffer <- request:
		Logger.Printf("Sending %s event [%s]\n", event.Level, event.EventID)
	default:
		Logger.Println("Event dropped due to transport buffer being full")
		// worker would block, drop the packet
	}
}

func (t *httpTransport) worker() {
	for request := range t.buffer {
		if time.Now().Before(t.disabledUntil) {
			continue
		}

		response, err := t.client.Do(request)

		if err != nil {
			Logger.Printf("There was an issue with sending an event: %v", err)
		}

		if response != nil && response.StatusCode == http.StatusTooManyRequests {
			t.disabledUntil = time.Now().Add(retryAfter(time.Now(), response))
			Logger.Printf("Too many requests, backing off till: %s\n", t.disabledUntil)
		}
	}
}

func retryAfter(now time.Time, r *http.Response) time.Duration {
	retryAfterHeader := r.Header["Retry-After"]

	if retryAfterHeader == nil {
		return defaultRetryAfter
	}

	if date, err := time.Parse(time.RFC1123, retryAfterHeader[0]); err == nil {
		return date.Sub(now)
	}

	if seconds, err := strconv.Atoi(retryAfterHeader[0]); err == nil {
		return time.Second * time.Duration(seconds)
	}

	return defaultRetryAfter
}

// Dsn is the reduced sentry.Dsn.
type Dsn struct {
	store     *url.URL
	publicKey string
}

// NewDsn is reduced: the DSN is "scheme://publickey@host/projectID".
func NewDsn(rawURL string) (*Dsn, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, err
	}
	publicKey := ""
	if u.User != nil {
		publicKey = u.User.Username()
	}
	store := &url.URL{Scheme: u.Scheme, Host: u.Host, Path: "/api" + u.Path + "/store/"}
	return &Dsn{store: store, publicKey: publicKey}, nil
}

// StoreAPIURL returns assembled url to be used in the transport.
func (dsn Dsn) StoreAPIURL() *url.URL {
	u := *dsn.store
	return &u
}

// RequestHeaders returns all the necessary headers that have to be used in the transport.
func (dsn Dsn) RequestHeaders() map[string]string {
	return map[string]string{
		"Content-Type":  "application/json",
		"X-Sentry-Auth": "Sentry sentry_version=7, sentry_key=" + dsn.publicKey,
	}
}
