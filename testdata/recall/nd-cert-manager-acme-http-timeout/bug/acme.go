// Recall case nd-cert-manager-acme-http-timeout
// Source: github.com/cert-manager/cert-manager commit f122c9c9c2f50714af4fefb25911f976ccd23056 (pkg/issuer/acme/acme.go)
// Link: https://github.com/cert-manager/cert-manager/commit/f122c9c9c2f50714af4fefb25911f976ccd23056
// Bug: Acme.acmeClient builds the acme.Client with an http.Client that has no Timeout; Setup -> registerAccount -> cl.Register runs under the issuers worker ctx (WithCancel(Background) + stopCh, no deadline), so an unresponsive ACME server blocks the worker forever.
// Fix: set Timeout: 30 * time.Second on the ACME http.Client.
// Rule: nodeadline
package cmacme

import (
	"bytes"
	"context"
	"crypto"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"strings"
	"sync"
)

// ---------------------------------------------------------------------------
// Stub of golang.org/x/crypto/acme (the parts Setup uses). Every call goes
// through c.HTTPClient with the caller's ctx attached, like the real client
// (ctxhttp); the nonce/JWS handling and the 5xx retry loop are elided.
// ---------------------------------------------------------------------------

type Account struct {
	URI     string   `json:"uri,omitempty"`
	Contact []string `json:"contact,omitempty"`
}

// Error is an ACME error response.
type Error struct {
	StatusCode int
	Detail     string
	Header     http.Header
}

func (e *Error) Error() string { return fmt.Sprintf("%d: %s", e.StatusCode, e.Detail) }

type directory struct {
	RegURL string `json:"new-reg"`
}

type Client struct {
	Key          crypto.Signer
	DirectoryURL string
	HTTPClient   *http.Client
}

func AcceptTOS(tosURL string) bool { return true }

func (c *Client) discover(ctx context.Context) (directory, error) {
	var dir directory
	res, err := c.do(ctx, http.MethodGet, c.DirectoryURL, nil)
	if err != nil {
		return dir, err
	}
	defer res.Body.Close()
	if err := json.NewDecoder(res.Body).Decode(&dir); err != nil {
		return dir, err
	}
	return dir, nil
}

// Register creates a new account registration on the ACME server.
func (c *Client) Register(ctx context.Context, a *Account, prompt func(tosURL string) bool) (*Account, error) {
	dir, err := c.discover(ctx)
	if err != nil {
		return nil, err
	}
	return c.doReg(ctx, dir.RegURL, a)
}

// GetReg retrieves an existing registration.
func (c *Client) GetReg(ctx context.Context, url string) (*Account, error) {
	return c.doReg(ctx, url, &Account{})
}

func (c *Client) doReg(ctx context.Context, url string, a *Account) (*Account, error) {
	body, err := json.Marshal(a)
	if err != nil {
		return nil, err
	}
	res, err := c.do(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode >= 400 {
		detail, _ := io.ReadAll(res.Body)
		return nil, &Error{StatusCode: res.StatusCode, Detail: string(detail), Header: res.Header}
	}
	out := &Account{}
	if err := json.NewDecoder(res.Body).Decode(out); err != nil {
		return nil, err
	}
	if out.URI == "" {
		out.URI = res.Header.Get("Location")
	}
	return out, nil
}

func (c *Client) do(ctx context.Context, method, url string, body io.Reader) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, url, body)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/jose+json")
	}
	return c.HTTPClient.Do(req)
}

// ---------------------------------------------------------------------------
// pkg/util
// ---------------------------------------------------------------------------

const CertManagerUserAgent = "jetstack-cert-manager"

type userAgentRoundTripper struct {
	inner http.RoundTripper
}

// UserAgentRoundTripper wraps inner and adds the cert-manager User-Agent.
func UserAgentRoundTripper(inner http.RoundTripper) http.RoundTripper {
	return userAgentRoundTripper{inner: inner}
}

// RoundTrip implements http.RoundTripper
func (u userAgentRoundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	req.Header.Add("User-Agent", CertManagerUserAgent)
	return u.inner.RoundTrip(req)
}

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
// pkg/issuer/acme/acme.go + setup.go (reduced)
// ---------------------------------------------------------------------------

type ACMEIssuer struct {
	Server         string
	Email          string
	PrivateKeyName string
}

type IssuerStatus struct {
	Ready   bool
	Reason  string
	Message string
	URI     string
}

type Issuer struct {
	Namespace string
	Name      string
	ACME      ACMEIssuer
	Status    IssuerStatus
}

type Acme struct {
	issuer *Issuer

	// secrets stands in for the secrets lister holding account keys.
	secrets map[string]crypto.Signer
}

var errKeyNotFound = errors.New("acme account private key not found")

func (a *Acme) acmeClient() (*Client, error) {
	accountPrivKey, ok := a.secrets[a.issuer.Namespace+"/"+a.issuer.ACME.PrivateKeyName]
	if !ok {
		return nil, errKeyNotFound
	}

	cl := &Client{
		Key:          accountPrivKey,
		DirectoryURL: a.issuer.ACME.Server,
		HTTPClient: &http.Client{
			// Stopgap user-agent roundtripper until the upstream 'crypto/acme'
			// provides a better method for setting user-agent.
			Transport: UserAgentRoundTripper(http.DefaultTransport),
		},
	}
	return cl, nil
}

const messageAccountVerificationFailed = "Failed to verify ACME account: "

// Setup will verify an existing ACME registration, or create one if not
// already registered.
func (a *Acme) Setup(ctx context.Context) error {
	cl, err := a.acmeClient()
	if err != nil {
		s := messageAccountVerificationFailed + err.Error()
		log.Printf("%s: %s", a.issuer.Name, s)
		return err
	}

	account, err := a.registerAccount(ctx, cl)
	if err != nil {
		s := messageAccountVerificationFailed + err.Error()
		log.Printf("%s: %s", a.issuer.Name, s)
		a.issuer.Status = IssuerStatus{Ready: false, Reason: "ErrRegisterACMEAccount", Message: s}
		return err
	}

	a.issuer.Status = IssuerStatus{Ready: true, Reason: "ACMEAccountRegistered", URI: account.URI}
	return nil
}

// registerAccount will register a new ACME account with the server. If an
// account with the clients private key already exists, it will attempt to look
// up and verify the corresponding account.
func (a *Acme) registerAccount(ctx context.Context, cl *Client) (*Account, error) {
	acc := &Account{
		Contact: []string{fmt.Sprintf("mailto:%s", strings.ToLower(a.issuer.ACME.Email))},
	}
	acc, err := cl.Register(ctx, acc, AcceptTOS)
	if err != nil {
		typedErr, ok := err.(*Error)
		if !ok {
			return nil, err
		}
		if typedErr.StatusCode != http.StatusConflict {
			return nil, err
		}
		accountURI := typedErr.Header.Get("Location")
		if accountURI == "" {
			return nil, fmt.Errorf("unexpected error - 409 Conflict error returned, but no Location header set: %s", typedErr.Error())
		}
		return a.verifyAccount(ctx, cl, accountURI)
	}
	return acc, nil
}

func (a *Acme) verifyAccount(ctx context.Context, cl *Client, uri string) (*Account, error) {
	return cl.GetReg(ctx, uri)
}

// ---------------------------------------------------------------------------
// pkg/controller/issuers (reduced): worker -> processNextWorkItem -> Sync.
// ---------------------------------------------------------------------------

type Controller struct {
	queue    chan string
	issuers  map[string]*Issuer
	secrets  map[string]crypto.Signer
	workerWg sync.WaitGroup

	syncHandler func(ctx context.Context, key string) error
}

func NewController(secrets map[string]crypto.Signer) *Controller {
	c := &Controller{
		queue:   make(chan string, 64),
		issuers: map[string]*Issuer{},
		secrets: secrets,
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
			log.Printf("issuers controller: syncing item '%s'", key)
			return c.syncHandler(ctx, key)
		}()
		if err != nil {
			log.Printf("issuers controller: Re-queuing item %q due to error processing: %s", key, err.Error())
			continue
		}
		log.Printf("issuers controller: Finished processing work item %q", key)
	}
}

func (c *Controller) processNextWorkItem(ctx context.Context, key string) error {
	issuer, ok := c.issuers[key]
	if !ok {
		log.Printf("issuer '%s' in work queue no longer exists", key)
		return nil
	}
	return c.Sync(ctx, issuer)
}

func (c *Controller) Sync(ctx context.Context, iss *Issuer) error {
	i := &Acme{issuer: iss, secrets: c.secrets}
	if err := i.Setup(ctx); err != nil {
		log.Printf("Error initializing issuer: %v", err)
		return err
	}
	return nil
}
