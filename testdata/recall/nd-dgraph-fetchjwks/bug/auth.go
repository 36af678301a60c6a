// Recall case nd-dgraph-fetchjwks
// Source: github.com/dgraph-io/dgraph commit 4aa17fa5928fadaf9533c31b6b96641b7480d3c2 (graphql/authorization/auth.go)
// Link: https://github.com/dgraph-io/dgraph/commit/4aa17fa5928fadaf9533c31b6b96641b7480d3c2
// Bug: AuthMeta.FetchJWKs (called from schema NewHandler) does http.DefaultClient.Do on a request without context, so an unresponsive JWKUrl blocks schema handling forever while holding the AuthMeta lock.
// Fix: FetchJWKs uses an AuthMeta.httpClient created by InitHttpClient with Timeout: 30s (initialised in NewHandler before the fetch).
// Rule: nodeadline
package authorization

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// JSONWebKey stands in for gopkg.in/square/go-jose.v2 JSONWebKey.
type JSONWebKey struct {
	Raw json.RawMessage
}

// UnmarshalJSON keeps the raw key.
func (k *JSONWebKey) UnmarshalJSON(data []byte) error {
	k.Raw = append(k.Raw[:0], data...)
	return nil
}

// JSONWebKeySet stands in for gopkg.in/square/go-jose.v2 JSONWebKeySet.
type JSONWebKeySet struct {
	Keys []JSONWebKey
}

type AuthMeta struct {
	VerificationKey string
	JWKUrl          string
	jwkSet          *JSONWebKeySet
	expiryTime      time.Time
	Header          string
	Namespace       string
	Algo            string
	Audience        []string
	ClosedByDefault bool
	sync.RWMutex
}

func ParseMaxAge(CacheControlHeaderStr string) (int64, error) {
	splittedHeaderStr := strings.Split(CacheControlHeaderStr, ",")
	for _, str := range splittedHeaderStr {
		strTrimSpace := strings.TrimSpace(str)
		if strings.HasPrefix(strTrimSpace, "max-age") || strings.HasPrefix(strTrimSpace, "s-maxage") {
			maxAge, err := strconv.Atoi(strings.Split(str, "=")[1])
			return int64(maxAge), err
		}
	}
	return 0, fmt.Errorf("Couldn't Parse max-age")
}

// FetchJWKs fetches the JSON Web Key set from a JWKUrl. It acquires a Lock over a as some of the
// properties of AuthMeta are modified in the process.
func (a *AuthMeta) FetchJWKs() error {
	a.Lock()
	defer a.Unlock()

	if a.JWKUrl == "" {
		return errors.New("No JWKUrl supplied")
	}

	req, err := http.NewRequest("GET", a.JWKUrl, nil)
	if err != nil {
		return err
	}

	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}

	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}

	type JwkArray struct {
		JWKs []json.RawMessage `json:"keys"`
	}

	var jwkArray JwkArray
	err = json.Unmarshal(data, &jwkArray)
	if err != nil {
		return err
	}

	a.jwkSet = &JSONWebKeySet{Keys: make([]JSONWebKey, len(jwkArray.JWKs))}
	for i, jwk := range jwkArray.JWKs {
		err = a.jwkSet.Keys[i].UnmarshalJSON(jwk)
		if err != nil {
			return err
		}
	}

	// Try to Parse the Remaining time in the expiry of signing keys
	// from the `max-age` directive in the `Cache-Control` Header
	var maxAge int64

	if resp.Header["Cache-Control"] != nil {
		maxAge, _ = ParseMaxAge(resp.Header["Cache-Control"][0])
	}

	if maxAge == 0 {
		a.expiryTime = time.Time{}
	} else {
		a.expiryTime = time.Now().Add(time.Duration(maxAge) * time.Second)
	}

	return nil
}

// Handler is the reduced graphql/schema handler.
type Handler struct {
	input string
	meta  *AuthMeta
}

// NewHandler is the reduced graphql/schema.NewHandler: once the Dgraph.Authorization
// header has been parsed into metaInfo, the JWKs are fetched from the JWKUrl.
func NewHandler(input string, metaInfo *AuthMeta) (*Handler, error) {
	// If Dgraph.Authorization header is parsed successfully and JWKUrl is present
	// then Fetch the JWKs from the JWKUrl
	if metaInfo != nil && metaInfo.JWKUrl != "" {
		fetchErr := metaInfo.FetchJWKs()
		if fetchErr != nil {
			return nil, fetchErr
		}
	}

	return &Handler{input: input, meta: metaInfo}, nil
}
