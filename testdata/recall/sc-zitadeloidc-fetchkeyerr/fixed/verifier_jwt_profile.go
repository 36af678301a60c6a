// Recall case sc-zitadeloidc-fetchkeyerr
// Source: github.com/zitadel/oidc commit f2f509a522b34b14ee7c7ff9f741506ea14939ca (pkg/op/verifier_jwt_profile.go)
// Link: https://github.com/zitadel/oidc/commit/f2f509a522b34b14ee7c7ff9f741506ea14939ca
// Bug: jwtProfileKeySet.VerifySignature replaces any error from Storage.GetKeyByIDAndUserID(ctx, ...) (a storage/DB call that honours ctx) with errors.New("error fetching keys"), so context.Canceled/DeadlineExceeded is lost and callers cannot tell cancellation from a bad key.
// Fix: the storage error is wrapped: fmt.Errorf("error fetching keys: %w", err).
// Rule: swallowcancel
package op

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// JWTTokenRequest stands in for oidc.JWTTokenRequest.
type JWTTokenRequest struct {
	Issuer   string   `json:"iss"`
	Subject  string   `json:"sub"`
	Audience []string `json:"aud"`
}

type JWTProfileVerifier interface {
	Issuer() string
	Storage() Storage
}

type jwtProfileVerifier struct {
	storage   Storage
	issuer    string
	maxAgeIAT time.Duration
	offset    time.Duration
}

func NewJWTProfileVerifier(storage Storage, issuer string, maxAgeIAT, offset time.Duration) JWTProfileVerifier {
	return &jwtProfileVerifier{
		storage:   storage,
		issuer:    issuer,
		maxAgeIAT: maxAgeIAT,
		offset:    offset,
	}
}

func (v *jwtProfileVerifier) Issuer() string {
	return v.issuer
}

func (v *jwtProfileVerifier) Storage() Storage {
	return v.storage
}

func parseToken(assertion string, request *JWTTokenRequest) ([]byte, error) {
	parts := strings.Split(assertion, ".")
	if len(parts) != 3 {
		return nil, ErrParse
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, ErrParse
	}
	if err := json.Unmarshal(payload, request); err != nil {
		return nil, ErrParse
	}
	return payload, nil
}

func VerifyJWTAssertion(ctx context.Context, assertion string, v JWTProfileVerifier) (*JWTTokenRequest, error) {
	request := new(JWTTokenRequest)
	payload, err := parseToken(assertion, request)
	if err != nil {
		return nil, err
	}

	keySet := &jwtProfileKeySet{v.Storage(), request.Issuer}

	if err = CheckSignature(ctx, assertion, payload, keySet); err != nil {
		return nil, err
	}
	return request, nil
}

type jwtProfileKeySet struct {
	Storage
	userID string
}

func (k *jwtProfileKeySet) VerifySignature(ctx context.Context, jws *JSONWebSignature) (payload []byte, err error) {
	keyID := ""
	for _, sig := range jws.Signatures {
		keyID = sig.Header.KeyID
		break
	}
	key, err := k.Storage.GetKeyByIDAndUserID(ctx, keyID, k.userID)
	if err != nil {
		return nil, fmt.Errorf("error fetching keys: %w", err)
	}
	payload, err, ok := CheckKey(keyID, jws, *key)
	if !ok {
		return nil, errors.New("invalid kid")
	}
	return payload, err
}
