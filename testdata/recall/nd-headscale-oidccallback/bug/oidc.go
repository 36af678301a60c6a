// Recall case nd-headscale-oidccallback
// Source: github.com/juanfont/headscale commit 52073ce7c984ab8973b6800a08486490b398bb6d (oidc.go)
// Link: https://github.com/juanfont/headscale/commit/52073ce7c984ab8973b6800a08486490b398bb6d
// Bug: the OIDCCallback handler calls getIDTokenForOIDCCallback / verifyIDTokenForOIDCCallback, which run oauth2Config.Exchange and verifier.Verify (HTTP calls to the IdP over http.DefaultClient) with context.Background(), so a stalled IdP blocks the handler forever and client disconnects are ignored.
// Fix: thread req.Context() into both helpers and pass it to Exchange and Verify.
// Rule: nodeadline
package headscale

import (
	"context"
	"errors"
	"log"
	"net/http"
)

var (
	errEmptyOIDCCallbackParams = errors.New("empty OIDC callback params")
	errNoOIDCIDToken           = errors.New("could not extract ID Token for OIDC callback")
)

// OIDCConfig mirrors the OIDC part of headscale.Config.
type OIDCConfig struct {
	Issuer   string
	ClientID string
}

// Headscale is the control server.
type Headscale struct {
	oidcCfg      OIDCConfig
	oidcProvider *Provider
	oauth2Config *OAuth2Config
}

// OIDCCallback handles the callback from the OIDC endpoint.
// Listens in /oidc/callback.
func (h *Headscale) OIDCCallback(
	writer http.ResponseWriter,
	req *http.Request,
) {
	code, state, err := validateOIDCCallbackParams(writer, req)
	if err != nil {
		return
	}

	rawIDToken, err := h.getIDTokenForOIDCCallback(writer, code, state)
	if err != nil {
		return
	}

	idToken, err := h.verifyIDTokenForOIDCCallback(writer, rawIDToken)
	if err != nil {
		return
	}

	writer.Header().Set("Content-Type", "text/html; charset=utf-8")
	writer.WriteHeader(http.StatusOK)
	if _, err := writer.Write([]byte("Authenticated as " + idToken.Subject + ", you can now close this window.")); err != nil {
		log.Printf("Failed to write response: %v", err)
	}
}

func validateOIDCCallbackParams(
	writer http.ResponseWriter,
	req *http.Request,
) (string, string, error) {
	code := req.URL.Query().Get("code")
	state := req.URL.Query().Get("state")

	if code == "" || state == "" {
		writer.Header().Set("Content-Type", "text/plain; charset=utf-8")
		writer.WriteHeader(http.StatusBadRequest)
		_, err := writer.Write([]byte("Wrong params"))
		if err != nil {
			log.Printf("Failed to write response: %v", err)
		}

		return "", "", errEmptyOIDCCallbackParams
	}

	return code, state, nil
}

func (h *Headscale) getIDTokenForOIDCCallback(
	writer http.ResponseWriter,
	code, state string,
) (string, error) {
	oauth2Token, err := h.oauth2Config.Exchange(context.Background(), code)
	if err != nil {
		log.Printf("Could not exchange code for token: %v", err)
		writer.Header().Set("Content-Type", "text/plain; charset=utf-8")
		writer.WriteHeader(http.StatusBadRequest)
		_, werr := writer.Write([]byte("Could not exchange code for token"))
		if werr != nil {
			log.Printf("Failed to write response: %v", werr)
		}

		return "", err
	}

	log.Printf("Got oidc callback code=%s state=%s", code, state)

	rawIDToken, rawIDTokenOK := oauth2Token.Extra("id_token").(string)
	if !rawIDTokenOK {
		writer.Header().Set("Content-Type", "text/plain; charset=utf-8")
		writer.WriteHeader(http.StatusBadRequest)
		_, err := writer.Write([]byte("Could not extract ID Token"))
		if err != nil {
			log.Printf("Failed to write response: %v", err)
		}

		return "", errNoOIDCIDToken
	}

	return rawIDToken, nil
}

func (h *Headscale) verifyIDTokenForOIDCCallback(
	writer http.ResponseWriter,
	rawIDToken string,
) (*IDToken, error) {
	verifier := h.oidcProvider.Verifier(&VerifierConfig{ClientID: h.oidcCfg.ClientID})
	idToken, err := verifier.Verify(context.Background(), rawIDToken)
	if err != nil {
		log.Printf("failed to verify id token: %v", err)
		writer.Header().Set("Content-Type", "text/plain; charset=utf-8")
		writer.WriteHeader(http.StatusBadRequest)
		_, werr := writer.Write([]byte("Failed to verify id token"))
		if werr != nil {
			log.Printf("Failed to write response: %v", werr)
		}

		return nil, err
	}

	return idToken, nil
}
