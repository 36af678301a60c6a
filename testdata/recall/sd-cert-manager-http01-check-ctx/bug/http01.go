// Recall case sd-cert-manager-http01-check-ctx
// Source: github.com/cert-manager/cert-manager commit d374619ba666be226b6c7e4e122225e25947df7a (pkg/issuer/acme/http/http.go)
// Link: https://github.com/cert-manager/cert-manager/commit/d374619ba666be226b6c7e4e122225e25947df7a
// Bug: Solver.Check receives the acmechallenges controller ctx (cancelled on shutdown via stopCh) but starts its own budget with context.WithTimeout(context.Background(), HTTP01Timeout), so testReachability's GETs ignore the caller's cancellation for up to 15 minutes.
// Fix: derive the self-check timeout from the caller: context.WithTimeout(ctx, HTTP01Timeout).
// Rule: sharedeadline
package http01

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/url"
	"sync"
	"time"
)

const (
	// HTTP01Timeout is the max amount of time to wait for an HTTP01 challenge
	// to succeed
	HTTP01Timeout = time.Minute * 15

	HTTPChallengePath = "/.well-known/acme-challenge"
)

// ---------------------------------------------------------------------------
// pkg/util
// ---------------------------------------------------------------------------

// ContextWithStopCh returns a ctx that is cancelled when stopCh closes.
func ContextWithStopCh(ctx context.Context, stopCh <-chan struct{}) context.Context {
	ctx, cancel := context.WithCancel(ctx)
	go func() {
		defer cancel()
		select {
		case <-ctx.Done():
		case <-stopCh:
		}
	}()
	return ctx
}

// ---------------------------------------------------------------------------
// pkg/issuer/acme/http/http.go (reduced to the self-check)
// ---------------------------------------------------------------------------

type Challenge struct {
	Namespace string
	Name      string
	Type      string
	DNSName   string
	Token     string
	Key       string
}

type reachabilityTest func(ctx context.Context, url *url.URL, key string) (bool, error)

// Solver is an implementation of the acme http-01 challenge solver protocol
type Solver struct {
	testReachability reachabilityTest
	requiredPasses   int
}

func NewSolver() *Solver {
	return &Solver{
		testReachability: testReachability,
		requiredPasses:   5,
	}
}

// absorbErr is an error that is "absorbed": the self check failed but the
// caller should retry later rather than fail.
type absorbErr struct {
	err error
}

func (a *absorbErr) Error() string { return a.err.Error() }

func (s *Solver) Check(ctx context.Context, ch *Challenge) (bool, error) {
	ctx, cancel := context.WithTimeout(context.Background(), HTTP01Timeout)
	defer cancel()

	url := s.buildChallengeUrl(ch)

	// Upstream pauses 2s between passes; the pause is not part of this fix
	// and is omitted here.
	for i := 0; i < s.requiredPasses; i++ {
		ok, err := s.testReachability(ctx, url, ch.Key)
		if absorbedErr, wasAbsorbed := err.(*absorbErr); wasAbsorbed {
			log.Printf("could not reach '%s': %v", url, absorbedErr.err)
			return false, nil
		} else if err != nil {
			return false, err
		}
		if !ok {
			return false, nil
		}
	}
	return true, nil
}

func (s *Solver) buildChallengeUrl(ch *Challenge) *url.URL {
	url := &url.URL{}
	url.Scheme = "http"
	url.Host = ch.DNSName
	url.Path = fmt.Sprintf("%s/%s", HTTPChallengePath, ch.Token)
	return url
}

// testReachability will attempt to connect to the 'domain' with 'path' and
// check if the returned body equals 'key'
func testReachability(ctx context.Context, url *url.URL, key string) (bool, error) {
	req := &http.Request{
		Method: http.MethodGet,
		URL:    url,
	}

	req = req.WithContext(ctx)

	response, err := http.DefaultClient.Do(req)
	if err != nil {
		return false, &absorbErr{err: fmt.Errorf("failed to GET '%s': %v", url, err)}
	}

	if response.StatusCode != http.StatusOK {
		response.Body.Close()
		return false, &absorbErr{err: fmt.Errorf("wrong status code '%d', expected '%d'", response.StatusCode, http.StatusOK)}
	}

	defer response.Body.Close()
	presentedKey, err := io.ReadAll(response.Body)
	if err != nil {
		return false, fmt.Errorf("failed to read response body: %v", err)
	}

	if string(presentedKey) != key {
		return false, &absorbErr{err: fmt.Errorf("presented key (%s) did not match expected (%s)", presentedKey, key)}
	}

	return true, nil
}

// ---------------------------------------------------------------------------
// pkg/controller/acmechallenges (reduced): worker -> Sync -> solver.Check.
// ---------------------------------------------------------------------------

type Controller struct {
	queue      chan string
	challenges map[string]*Challenge
	httpSolver *Solver
	workerWg   sync.WaitGroup

	syncHandler func(ctx context.Context, key string) error
}

func NewController() *Controller {
	c := &Controller{
		queue:      make(chan string, 64),
		challenges: map[string]*Challenge{},
		httpSolver: NewSolver(),
	}
	c.syncHandler = c.processNextWorkItem
	return c
}

func (c *Controller) Run(workers int, stopCh <-chan struct{}) {
	for i := 0; i < workers; i++ {
		c.workerWg.Add(1)
		go c.worker(stopCh)
	}
	<-stopCh
	c.workerWg.Wait()
}

func (c *Controller) worker(stopCh <-chan struct{}) {
	defer c.workerWg.Done()
	for {
		var key string
		select {
		case <-stopCh:
			return
		case key = <-c.queue:
		}

		err := func() error {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			ctx = ContextWithStopCh(ctx, stopCh)
			return c.syncHandler(ctx, key)
		}()
		if err != nil {
			log.Printf("challenges controller: Re-queuing item %q due to error processing: %s", key, err.Error())
		}
	}
}

func (c *Controller) processNextWorkItem(ctx context.Context, key string) error {
	ch, ok := c.challenges[key]
	if !ok {
		return nil
	}
	return c.Sync(ctx, ch)
}

// Sync will process this ACME Challenge.
func (c *Controller) Sync(ctx context.Context, ch *Challenge) error {
	if ch.Type != "http-01" {
		return fmt.Errorf("no solver implemented for %q", ch.Type)
	}
	ok, err := c.httpSolver.Check(ctx, ch)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("waiting for %s challenge propagation", ch.Type)
	}
	return nil
}
