// Recall case nd-btcd-rpcclient-httptimeout
// Source: github.com/btcsuite/btcd commit 44c874f9f6ed650f288269a34108e1cbf755b89e (rpcclient/infrastructure.go)
// Link: https://github.com/btcsuite/btcd/commit/44c874f9f6ed650f288269a34108e1cbf755b89e
// Bug: newHTTPClient builds the http.Client used for every HTTP POST RPC without a Timeout, and handleSendPostMessage sends requests built with http.NewRequest (no ctx), so a node that accepts the connection but never answers blocks the send handler forever.
// Fix: the http.Client gets Timeout: defaultHTTPTimeout (one minute).
// Note: the transport's net.Dial (bounded upstream only later, in 582b999f) dials with a 30 s Dialer here in both twins.
// Rule: nodeadline
package rpcclient

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"
)

const (
	// requestRetryInterval is the initial amount of time to wait in between
	// retries when sending HTTP POST requests.
	requestRetryInterval = time.Millisecond * 500
)

type ConnConfig struct {
	Host       string
	User, Pass string
	DisableTLS bool
}

type Response struct {
	result []byte
	err    error
}

type jsonRequest struct {
	id             uint64
	method         string
	marshalledJSON []byte
	responseChan   chan *Response
}

type Client struct {
	config       *ConnConfig
	httpClient   *http.Client
	sendPostChan chan *jsonRequest
	shutdown     chan struct{}
	wg           sync.WaitGroup
}

// handleSendPostMessage handles performing the passed HTTP request, reading the
// result, and delivering it to the provided response channel.
func (c *Client) handleSendPostMessage(jReq *jsonRequest) {
	protocol := "http"
	if !c.config.DisableTLS {
		protocol = "https"
	}
	url := protocol + "://" + c.config.Host

	var (
		err          error
		backoff      time.Duration
		httpResponse *http.Response
	)

	tries := 10
	for i := 0; i < tries; i++ {
		var httpReq *http.Request

		bodyReader := bytes.NewReader(jReq.marshalledJSON)
		httpReq, err = http.NewRequest("POST", url, bodyReader)
		if err != nil {
			jReq.responseChan <- &Response{result: nil, err: err}
			return
		}
		httpReq.Close = true
		httpReq.Header.Set("Content-Type", "application/json")
		httpReq.SetBasicAuth(c.config.User, c.config.Pass)

		httpResponse, err = c.httpClient.Do(httpReq)

		// Quit the retry loop on success or if we can't retry anymore.
		if err == nil || i == tries-1 {
			break
		}

		backoff = requestRetryInterval * time.Duration(i+1)
		if backoff > time.Minute {
			backoff = time.Minute
		}
		select {
		case <-time.After(backoff):
		case <-c.shutdown:
			return
		}
	}
	if err != nil {
		jReq.responseChan <- &Response{err: err}
		return
	}
	if httpResponse == nil {
		jReq.responseChan <- &Response{err: fmt.Errorf("invalid http POST response (nil)")}
		return
	}

	respBytes, err := io.ReadAll(httpResponse.Body)
	httpResponse.Body.Close()
	if err != nil {
		err = fmt.Errorf("error reading json reply: %v", err)
	}
	jReq.responseChan <- &Response{result: respBytes, err: err}
}

// sendPostHandler handles all outgoing messages when the client is running
// in HTTP POST mode. It must be run as a goroutine.
func (c *Client) sendPostHandler() {
out:
	for {
		select {
		case jReq := <-c.sendPostChan:
			c.handleSendPostMessage(jReq)
		case <-c.shutdown:
			break out
		}
	}
	c.wg.Done()
}

// newHTTPClient returns a new http client that is configured according to the
// proxy and TLS settings in the associated connection configuration.
func newHTTPClient(config *ConnConfig) (*http.Client, error) {
	parsedAddr, err := net.ResolveTCPAddr("tcp", config.Host)
	if err != nil {
		return nil, err
	}
	client := http.Client{
		Transport: &http.Transport{
			DialContext: func(_ context.Context, _, _ string) (net.Conn, error) {
				return (&net.Dialer{Timeout: 30 * time.Second}).Dial(parsedAddr.Network(), parsedAddr.String())
			},
		},
	}

	return &client, nil
}

func New(config *ConnConfig) (*Client, error) {
	httpClient, err := newHTTPClient(config)
	if err != nil {
		return nil, err
	}
	c := &Client{
		config:       config,
		httpClient:   httpClient,
		sendPostChan: make(chan *jsonRequest, 100),
		shutdown:     make(chan struct{}),
	}
	c.wg.Add(1)
	go c.sendPostHandler()
	return c, nil
}

func (c *Client) SendCmd(method string, body []byte) chan *Response {
	jReq := &jsonRequest{method: method, marshalledJSON: body, responseChan: make(chan *Response, 1)}
	select {
	case c.sendPostChan <- jReq:
	case <-c.shutdown:
		jReq.responseChan <- &Response{err: fmt.Errorf("client shutdown")}
	}
	return jReq.responseChan
}
