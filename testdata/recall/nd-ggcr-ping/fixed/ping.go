// Recall case nd-ggcr-ping
// Source: github.com/google/go-containerregistry commit ca90ba63c3aea0192e95b58c7a4ffc1a26e5cb67 (pkg/v1/remote/transport/ping.go)
// Link: https://github.com/google/go-containerregistry/commit/ca90ba63c3aea0192e95b58c7a4ffc1a26e5cb67
// Bug: transport.New -> ping builds http.Client{Transport: t} with no Timeout and calls client.Get (no ctx), so a silent registry hangs the ping forever
// Fix: the ping client gets Timeout: 2 * time.Second
// Rule: nodeadline
package transport

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// Registry is a reduced stand-in for name.Registry.
type Registry struct {
	host   string
	scheme string
}

func (r Registry) Name() string   { return r.host }
func (r Registry) Scheme() string { return r.scheme }

type challenge string

const (
	anonymous challenge = "anonymous"
	basic     challenge = "basic"
	bearer    challenge = "bearer"
)

type pingResp struct {
	challenge  challenge
	parameters map[string]string
	scheme     string
}

func (c challenge) Canonical() challenge {
	return challenge(strings.ToLower(string(c)))
}

func parseChallenge(suffix string) map[string]string {
	kv := make(map[string]string)
	for _, token := range strings.Split(suffix, ",") {
		token = strings.Trim(token, " ")
		if parts := strings.SplitN(token, "=", 2); len(parts) == 2 {
			kv[parts[0]] = strings.Trim(parts[1], `"`)
		} else {
			kv[token] = ""
		}
	}
	return kv
}

func ping(reg Registry, t http.RoundTripper) (*pingResp, error) {
	client := http.Client{Transport: t, Timeout: 2 * time.Second}

	// This first attempts to use "https" for every request, falling back to http
	// if the registry matches our localhost heuristic or if it is intentionally
	// set to insecure via name.NewInsecureRegistry.
	schemes := []string{"https"}
	if reg.Scheme() == "http" {
		schemes = append(schemes, "http")
	}

	var connErr error
	for _, scheme := range schemes {
		url := fmt.Sprintf("%s://%s/v2/", scheme, reg.Name())
		resp, err := client.Get(url)
		if err != nil {
			connErr = err
			// Potentially retry with http.
			continue
		}
		defer func() {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}()

		switch resp.StatusCode {
		case http.StatusOK:
			return &pingResp{challenge: anonymous, scheme: scheme}, nil
		case http.StatusUnauthorized:
			wac := resp.Header.Get("WWW-Authenticate")
			if parts := strings.SplitN(wac, " ", 2); len(parts) == 2 {
				return &pingResp{
					challenge:  challenge(parts[0]).Canonical(),
					parameters: parseChallenge(parts[1]),
					scheme:     scheme,
				}, nil
			}
			return &pingResp{challenge: challenge(wac).Canonical(), scheme: scheme}, nil
		default:
			return nil, fmt.Errorf("unexpected status code %d", resp.StatusCode)
		}
	}
	return nil, connErr
}

// New returns a RoundTripper set up to talk to reg (reduced: auth wrapping cut).
func New(reg Registry, t http.RoundTripper) (http.RoundTripper, error) {
	// First we ping the registry to determine the parameters of the authentication handshake
	// (if one is even necessary).
	pr, err := ping(reg, t)
	if err != nil {
		return nil, err
	}
	switch pr.challenge.Canonical() {
	case anonymous, basic, bearer:
		return t, nil
	default:
		return nil, fmt.Errorf("unrecognized challenge: %s", pr.challenge)
	}
}
