// Recall case nd-scope-appclient-publish
// Source: github.com/weaveworks/scope commit 3542c6b2f84e59af93242dbd90ae72149e1d8835 (probe/appclient/app_client.go)
// Link: https://github.com/weaveworks/scope/commit/3542c6b2f84e59af93242dbd90ae72149e1d8835
// Bug: The probe's http.Client is built without a Timeout and publish() sends the report with a context-less request, so a stalled app server blocks the publish loop forever (only the TCP dial is bounded).
// Fix: The client gets Timeout: httpClientTimeout (4s) and each publish request is cancelled via req.Cancel = c.quit when the client stops.
// Rule: nodeadline
package appclient

import (
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"sync"
	"time"
)

const (
	httpClientTimeout = 4 * time.Second
	initialBackoff    = 1 * time.Second
	maxBackoff        = 60 * time.Second
	dialTimeout       = 5 * time.Second
)

// AppClient is a client to an app.
type AppClient interface {
	Publish(r io.Reader) error
	Stop()
}

// appClient is a client to an app.
type appClient struct {
	ProbeConfig

	quit   chan struct{}
	mtx    sync.Mutex
	target string
	client http.Client

	// Track all the background goroutines, ensure they all stop
	backgroundWait sync.WaitGroup

	// For publish
	publishLoop sync.Once
	readers     chan io.Reader
}

// NewAppClient makes a new appClient.
func NewAppClient(pc ProbeConfig, hostname, target string) (AppClient, error) {
	httpTransport, err := pc.getHTTPTransport(hostname)
	if err != nil {
		return nil, err
	}

	httpTransport.Dial = func(network, addr string) (net.Conn, error) {
		return net.DialTimeout(network, addr, dialTimeout)
	}

	return &appClient{
		ProbeConfig: pc,
		quit:        make(chan struct{}),
		target:      target,
		client: http.Client{
			Transport: httpTransport,
			Timeout:   httpClientTimeout,
		},
		readers: make(chan io.Reader, 2),
	}, nil
}

func (c *appClient) hasQuit() bool {
	select {
	case <-c.quit:
		return true
	default:
		return false
	}
}

func (c *appClient) retainGoroutine() bool {
	c.mtx.Lock()
	defer c.mtx.Unlock()
	if c.hasQuit() {
		return false
	}
	c.backgroundWait.Add(1)
	return true
}

func (c *appClient) releaseGoroutine() {
	c.backgroundWait.Done()
}

// Stop stops the appClient.
func (c *appClient) Stop() {
	c.mtx.Lock()
	close(c.readers)
	close(c.quit)
	c.mtx.Unlock()

	c.backgroundWait.Wait()
	c.client.Transport.(*http.Transport).CloseIdleConnections()
}

func (c *appClient) doWithBackoff(msg string, f func() (bool, error)) {
	if !c.retainGoroutine() {
		return
	}
	defer c.releaseGoroutine()

	backoff := initialBackoff

	for {
		done, err := f()
		if done {
			return
		}
		if err == nil {
			backoff = initialBackoff
			continue
		}

		log.Printf("Error doing %s for %s, backing off %s: %v", msg, c.target, backoff, err)
		select {
		case <-time.After(backoff):
		case <-c.quit:
			return
		}
		backoff *= 2
		if backoff > maxBackoff {
			backoff = maxBackoff
		}
	}
}

func (c *appClient) publish(r io.Reader) error {
	url := "http://" + c.target + "/api/report"
	req, err := c.ProbeConfig.authorizedRequest("POST", url, r)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Encoding", "gzip")
	req.Header.Set("Content-Type", "application/msgpack")

	// Make sure this request is cancelled when we stop the client
	c.mtx.Lock()
	req.Cancel = c.quit
	c.mtx.Unlock()

	resp, err := c.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()

	if resp.StatusCode != http.StatusOK {
		text, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("%s: %s", resp.Status, string(text))
	}
	return nil
}

func (c *appClient) startPublishing() {
	go func() {
		log.Printf("Publish loop for %s starting", c.target)
		defer log.Printf("Publish loop for %s exiting", c.target)
		c.doWithBackoff("publish", func() (bool, error) {
			r := <-c.readers
			if r == nil {
				return true, nil
			}
			return false, c.publish(r)
		})
	}()
}

// Publish implements Publisher
func (c *appClient) Publish(r io.Reader) error {
	// Lazily start the background publishing loop.
	c.publishLoop.Do(c.startPublishing)
	select {
	case c.readers <- r:
	default:
		log.Printf("Dropping report to %s", c.target)
	}
	return nil
}
