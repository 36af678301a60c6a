// Recall case sd-oathkeeper-authzremote
// Source: github.com/ory/oathkeeper commit ee251976537ade1e06399a3d5b2883620e3407eb (pipeline/authz/remote.go)
// Link: https://github.com/ory/oathkeeper/commit/ee251976537ade1e06399a3d5b2883620e3407eb
// Bug: AuthorizerRemote.Authorize builds the outbound check with http.NewRequest and a.client.Do(req), so the call runs on the client's own 500ms budget and ignores the incoming request r's context/cancellation.
// Fix: the outbound request is sent as a.client.Do(req.WithContext(r.Context())), sharing the caller's context.
// Rule: sharedeadline
package authz

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"text/template"
	"time"
)

// ErrForbidden mirrors helper.ErrForbidden.
var ErrForbidden = errors.New("access credentials are not sufficient to access this resource")

// AuthenticationSession is the (reduced) authn.AuthenticationSession.
type AuthenticationSession struct {
	Subject string
	Extra   map[string]interface{}
}

// Rule is the (reduced) pipeline.Rule.
type Rule interface {
	GetID() string
}

// AuthorizerRemoteConfiguration represents a configuration for the remote authorizer.
type AuthorizerRemoteConfiguration struct {
	Remote  string            `json:"remote"`
	Headers map[string]string `json:"headers"`
}

// AuthorizerRemote implements the Authorizer interface.
type AuthorizerRemote struct {
	client *http.Client
	t      *template.Template
}

// NewAuthorizerRemote creates a new AuthorizerRemote.
func NewAuthorizerRemote() *AuthorizerRemote {
	return &AuthorizerRemote{
		client: newResilientClientLatencyToleranceSmall(),
		t:      template.New("remote"),
	}
}

// newResilientClientLatencyToleranceSmall stands in for ory/x httpx.NewResilientClientLatencyToleranceSmall(nil):
// an *http.Client with its own fixed 500ms Timeout (the retrying round tripper is omitted).
func newResilientClientLatencyToleranceSmall() *http.Client {
	return &http.Client{
		Timeout:   time.Millisecond * 500,
		Transport: http.DefaultTransport,
	}
}

// GetID implements the Authorizer interface.
func (a *AuthorizerRemote) GetID() string {
	return "remote"
}

// Authorize implements the Authorizer interface.
func (a *AuthorizerRemote) Authorize(r *http.Request, session *AuthenticationSession, config json.RawMessage, rl Rule) error {
	c, err := a.Config(config)
	if err != nil {
		return err
	}

	read, write := io.Pipe()
	go func() {
		err := pipeRequestBody(r, write)
		write.CloseWithError(wrapf(err, `could not pipe request body in rule "%s"`, rl.GetID()))
	}()

	req, err := http.NewRequest("POST", c.Remote, read)
	if err != nil {
		return err
	}
	req.Header.Add("Content-Type", r.Header.Get("Content-Type"))
	authz := r.Header.Get("Authorization")
	if authz != "" {
		req.Header.Add("Authorization", authz)
	}

	for hdr, templateString := range c.Headers {
		var tmpl *template.Template
		var err error

		templateId := fmt.Sprintf("%s:%s", rl.GetID(), hdr)
		tmpl = a.t.Lookup(templateId)
		if tmpl == nil {
			tmpl, err = a.t.New(templateId).Parse(templateString)
			if err != nil {
				return wrapf(err, `error parsing headers template "%s" in rule "%s"`, templateString, rl.GetID())
			}
		}

		headerValue := bytes.Buffer{}
		err = tmpl.Execute(&headerValue, session)
		if err != nil {
			return wrapf(err, `error executing headers template "%s" in rule "%s"`, templateString, rl.GetID())
		}
		// Don't send empty headers
		if headerValue.String() == "" {
			continue
		}

		req.Header.Set(hdr, headerValue.String())
	}

	res, err := a.client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()

	if res.StatusCode == http.StatusForbidden {
		return ErrForbidden
	} else if res.StatusCode != http.StatusOK {
		return fmt.Errorf("expected status code %d but got %d", http.StatusOK, res.StatusCode)
	}

	return nil
}

// Config decodes the rule-level authorizer configuration.
func (a *AuthorizerRemote) Config(config json.RawMessage) (*AuthorizerRemoteConfiguration, error) {
	var c AuthorizerRemoteConfiguration
	if len(config) == 0 {
		return nil, errors.New("authorizer remote: empty configuration")
	}
	if err := json.Unmarshal(config, &c); err != nil {
		return nil, fmt.Errorf("authorizer %q is misconfigured: %w", a.GetID(), err)
	}
	return &c, nil
}

func pipeRequestBody(r *http.Request, w io.Writer) error {
	if r.Body == nil {
		return nil
	}

	var body bytes.Buffer
	defer r.Body.Close()
	_, err := io.Copy(w, io.TeeReader(r.Body, &body))
	if err != nil {
		return err
	}
	r.Body = io.NopCloser(&body)
	return err
}

// wrapf mirrors github.com/pkg/errors.Wrapf: nil stays nil.
func wrapf(err error, format string, args ...interface{}) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf(format+": %w", append(args, err)...)
}
