// Recall case sc-zitadeloidc-fetchkeyerr
// Source: github.com/zitadel/oidc commit f2f509a522b34b14ee7c7ff9f741506ea14939ca (pkg/oidc/verifier.go)
// Link: https://github.com/zitadel/oidc/commit/f2f509a522b34b14ee7c7ff9f741506ea14939ca
// Bug: jwtProfileKeySet.VerifySignature replaces any error from Storage.GetKeyByIDAndUserID(ctx, ...) (a storage/DB call that honours ctx) with errors.New("error fetching keys"), so context.Canceled/DeadlineExceeded is lost and callers cannot tell cancellation from a bad key.
// Fix: the storage error is wrapped: fmt.Errorf("error fetching keys: %w", err).
// Rule: swallowcancel
package op

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
)

var (
	ErrParse                   = errors.New("parsing of request failed")
	ErrSignatureMissing        = errors.New("id_token does not contain a signature")
	ErrSignatureMultiple       = errors.New("id_token contains multiple signatures")
	ErrSignatureInvalidPayload = errors.New("signature does not match Payload")
)

// JSONWebKey stands in for jose.JSONWebKey.
type JSONWebKey struct {
	KeyID     string
	Algorithm string
	Key       []byte
}

// Signature stands in for jose.Signature.
type Signature struct {
	Header struct {
		KeyID     string `json:"kid"`
		Algorithm string `json:"alg"`
	}
}

// JSONWebSignature stands in for jose.JSONWebSignature.
type JSONWebSignature struct {
	Signatures []Signature
	payload    []byte
}

// ParseSigned stands in for jose.ParseSigned.
func ParseSigned(token string) (*JSONWebSignature, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, ErrParse
	}
	hdr, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		return nil, err
	}
	var sig Signature
	if err := json.Unmarshal(hdr, &sig.Header); err != nil {
		return nil, err
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, err
	}
	return &JSONWebSignature{Signatures: []Signature{sig}, payload: payload}, nil
}

// Verify stands in for jose.JSONWebSignature.Verify.
func (j *JSONWebSignature) Verify(key *JSONWebKey) ([]byte, error) {
	if len(key.Key) == 0 {
		return nil, errors.New("empty key")
	}
	return j.payload, nil
}

// KeySet represents a set of JSON Web Keys
type KeySet interface {
	// VerifySignature verifies the signature with the given keyset and returns the raw payload
	VerifySignature(ctx context.Context, jws *JSONWebSignature) (payload []byte, err error)
}

func CheckSignature(ctx context.Context, token string, payload []byte, set KeySet) error {
	jws, err := ParseSigned(token)
	if err != nil {
		return ErrParse
	}
	if len(jws.Signatures) == 0 {
		return ErrSignatureMissing
	}
	if len(jws.Signatures) > 1 {
		return ErrSignatureMultiple
	}

	signedPayload, err := set.VerifySignature(ctx, jws)
	if err != nil {
		return err
	}

	if !bytes.Equal(signedPayload, payload) {
		return ErrSignatureInvalidPayload
	}
	return nil
}

func CheckKey(keyID string, jws *JSONWebSignature, keys ...JSONWebKey) ([]byte, error, bool) {
	for _, key := range keys {
		if keyID == "" || key.KeyID == keyID {
			payload, err := jws.Verify(&key)
			return payload, err, true
		}
	}
	return nil, nil, false
}
