// Recall case nd-politeia-dcrtimeclient
// Source: github.com/decred/politeia commit 702966d99cbb4514fd6befe216941536e9ba37eb (util/dcrtime.go)
// Link: https://github.com/decred/politeia/commit/702966d99cbb4514fd6befe216941536e9ba37eb
// Bug: The package-level httpClient used for dcrtime Timestamp/Verify POSTs has no Timeout (and its Transport no ResponseHeaderTimeout), and the calls take no context, so an unresponsive dcrtime server blocks the anchoring code forever.
// Fix: The http.Client gets a hard 1 minute Timeout and the Transport a 1 minute ResponseHeaderTimeout.
// Rule: nodeadline
package util

import (
	"bytes"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"time"
)

const (
	TimestampRoute = "/v1/timestamp/"
	VerifyRoute    = "/v1/verify/"

	ResultOK          = 1
	ResultExistsError = 2
)

var RegexpSHA256 = regexp.MustCompile("^[A-Fa-f0-9]{64}$")

// v1Timestamp is the dcrtime v1 timestamp request.
type v1Timestamp struct {
	ID      string   `json:"id"`
	Digests []string `json:"digests"`
}

// v1TimestampReply is the dcrtime v1 timestamp reply.
type v1TimestampReply struct {
	ServerTimestamp int64    `json:"servertimestamp"`
	Digests         []string `json:"digests"`
	Results         []int    `json:"results"`
}

// v1Verify is the dcrtime v1 verify request.
type v1Verify struct {
	ID      string   `json:"id"`
	Digests []string `json:"digests"`
}

// v1VerifyReply is the dcrtime v1 verify reply.
type v1VerifyReply struct {
	ID      string            `json:"id"`
	Digests []json.RawMessage `json:"digests"`
}

var (
	skipVerify = false
	httpClient = &http.Client{
		Transport: &http.Transport{
			IdleConnTimeout: 60 * time.Second,
			TLSClientConfig: &tls.Config{
				InsecureSkipVerify: skipVerify,
			},
		},
	}
)

// isDigest determines if a string is a valid SHA256 digest.
func isDigest(digest string) bool {
	return RegexpSHA256.MatchString(digest)
}

// getError returns the error that is embedded in a JSON reply.
func getError(r io.Reader) (string, error) {
	var e interface{}
	decoder := json.NewDecoder(r)
	if err := decoder.Decode(&e); err != nil {
		return "", err
	}
	m, ok := e.(map[string]interface{})
	if !ok {
		return "", fmt.Errorf("Could not decode response")
	}
	rError, ok := m["error"]
	if !ok {
		return "", fmt.Errorf("No error response")
	}
	return fmt.Sprintf("%v", rError), nil
}

// Timestamp sends a Timestamp request to the provided host.  The caller is
// responsible for assembling the host string based on what net to use.
func Timestamp(host string, digests []*[sha256.Size]byte) error {
	// batch uploads
	ts := v1Timestamp{
		ID:      "politeia",
		Digests: make([]string, 0, len(digests)),
	}
	for _, digest := range digests {
		ts.Digests = append(ts.Digests, hex.EncodeToString(digest[:]))
	}
	b, err := json.Marshal(ts)
	if err != nil {
		return err
	}

	r, err := httpClient.Post(host+TimestampRoute, "application/json",
		bytes.NewReader(b))
	if err != nil {
		return err
	}
	defer r.Body.Close()

	if r.StatusCode != http.StatusOK {
		e, err := getError(r.Body)
		if err != nil {
			return fmt.Errorf("%v", r.Status)
		}
		return fmt.Errorf("%v: %v", r.Status, e)
	}

	// Decode response.
	var tsReply v1TimestampReply
	decoder := json.NewDecoder(r.Body)
	if err := decoder.Decode(&tsReply); err != nil {
		return fmt.Errorf("Could node decode TimestampReply: %v", err)
	}

	for i, result := range tsReply.Results {
		if result == ResultExistsError {
			// Been alread anchored so ignore.
			continue
		}
		if result != ResultOK {
			return fmt.Errorf("anchor (%v): result %v", i, result)
		}
	}

	return nil
}

// Verify sends a dcrtime Verify command to the provided host.
func Verify(host string, digests []string) (*v1VerifyReply, error) {
	ver := v1Verify{
		ID: "politeia",
	}

	for _, digest := range digests {
		if isDigest(digest) {
			ver.Digests = append(ver.Digests, digest)
			continue
		}

		return nil, fmt.Errorf("not a valid digest: %v", digest)
	}

	// Convert Verify to JSON
	b, err := json.Marshal(ver)
	if err != nil {
		return nil, err
	}

	r, err := httpClient.Post(host+VerifyRoute, "application/json",
		bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	defer r.Body.Close()

	if r.StatusCode != http.StatusOK {
		e, err := getError(r.Body)
		if err != nil {
			return nil, fmt.Errorf("%v", r.Status)
		}
		return nil, fmt.Errorf("%v: %v", r.Status, e)
	}

	// Decode response.
	var vr v1VerifyReply
	decoder := json.NewDecoder(r.Body)
	if err := decoder.Decode(&vr); err != nil {
		return nil, fmt.Errorf("Could not decode VerifyReply: %v", err)
	}
	return &vr, nil
}
