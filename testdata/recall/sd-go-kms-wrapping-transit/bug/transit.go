// Recall case sd-go-kms-wrapping-transit
// Source: github.com/hashicorp/go-kms-wrapping commit 05c77e842118b25d7448f55b741955fe1af9faf3 (wrappers/transit/transit.go, wrappers/transit/transit_client.go)
// Link: https://github.com/hashicorp/go-kms-wrapping/commit/05c77e842118b25d7448f55b741955fe1af9faf3
// Bug: Wrapper.Encrypt/Decrypt discard their ctx and TransitClient.Encrypt/Decrypt call Logical().Write (no context), so the Vault transit request runs on its own budget and ignores the caller's deadline/cancellation.
// Fix: thread ctx through transitClientEncryptor.Encrypt/Decrypt and use Logical().WriteWithContext(ctx, ...).
// Rule: sharedeadline
package transit

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"path"
	"strings"
	"sync/atomic"
	"time"
)

// ---- stand-in for github.com/hashicorp/vault/api ----

// Secret stands in for api.Secret.
type Secret struct {
	Data map[string]interface{} `json:"data"`
}

// Client stands in for *api.Client created from api.DefaultConfig()
// (whose HttpClient has a 60s Timeout).
type Client struct {
	address    string
	token      string
	httpClient *http.Client
}

// NewClient stands in for api.NewClient(api.DefaultConfig()).
func NewClient(address, token string) *Client {
	return &Client{address: address, token: token, httpClient: &http.Client{Timeout: 60 * time.Second}}
}

// Logical stands in for api.Logical.
type Logical struct{ c *Client }

// Logical returns the logical backend client.
func (c *Client) Logical() *Logical { return &Logical{c: c} }

// Write stands in for api.Logical.Write, which has no context parameter.
func (l *Logical) Write(p string, data map[string]interface{}) (*Secret, error) {
	body, err := json.Marshal(data)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequest(http.MethodPut, l.c.address+"/v1/"+p, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	return l.do(req)
}

// WriteWithContext stands in for api.Logical.WriteWithContext.
func (l *Logical) WriteWithContext(ctx context.Context, p string, data map[string]interface{}) (*Secret, error) {
	body, err := json.Marshal(data)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, l.c.address+"/v1/"+p, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	return l.do(req)
}

func (l *Logical) do(req *http.Request) (*Secret, error) {
	req.Header.Set("X-Vault-Token", l.c.token)
	resp, err := l.c.httpClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 400 {
		return nil, fmt.Errorf("vault: %s", resp.Status)
	}
	var s Secret
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil {
		return nil, err
	}
	return &s, nil
}

// ---- transit_client.go ----

type transitClientEncryptor interface {
	Close()
	Encrypt(plaintext []byte) (ciphertext []byte, err error)
	Decrypt(ciphertext []byte) (plaintext []byte, err error)
}

type TransitClient struct {
	client *Client

	mountPath string
	keyName   string
}

func (c *TransitClient) Close() {}

func (c *TransitClient) Encrypt(plaintext []byte) ([]byte, error) {
	encPlaintext := base64.StdEncoding.EncodeToString(plaintext)
	path := path.Join(c.mountPath, "encrypt", c.keyName)
	secret, err := c.client.Logical().Write(path, map[string]interface{}{
		"plaintext": encPlaintext,
	})
	if err != nil {
		return nil, err
	}
	if secret == nil {
		return nil, errors.New("after encrypt operation the returned secret from vault is nil")
	}
	if secret.Data == nil {
		return nil, errors.New("after encrypt operation no data was found in returned secret from vault")
	}
	ct := secret.Data["ciphertext"]
	if ct == nil {
		return nil, errors.New("after encrypt operation ciphertext was not found in data returned from vault")
	}
	ctStr, ok := ct.(string)
	if !ok {
		return nil, errors.New("after encrypt operation ciphertext in data returned from vault is not a string")
	}

	return []byte(ctStr), nil
}

func (c *TransitClient) Decrypt(ciphertext []byte) ([]byte, error) {
	path := path.Join(c.mountPath, "decrypt", c.keyName)
	secret, err := c.client.Logical().Write(path, map[string]interface{}{
		"ciphertext": string(ciphertext),
	})
	if err != nil {
		return nil, err
	}
	if secret == nil {
		return nil, errors.New("after decrypt operation the returned secret from vault is nil")
	}
	if secret.Data == nil {
		return nil, errors.New("after decrypt operation no data was found in returned secret from vault")
	}
	pt := secret.Data["plaintext"]
	if pt == nil {
		return nil, errors.New("after decrypt operation plaintext was not found in data returned from vault")
	}
	ptStr, ok := pt.(string)
	if !ok {
		return nil, errors.New("after decrypt operation plaintext in data returned from vault is not a string")
	}

	plaintext, err := base64.StdEncoding.DecodeString(ptStr)
	if err != nil {
		return nil, fmt.Errorf("error base64-decoding plaintext: %w", err)
	}
	return plaintext, nil
}

// ---- transit.go ----

// BlobInfo stands in for wrapping.BlobInfo.
type BlobInfo struct {
	Ciphertext []byte
	KeyId      string
}

// Wrapper is a wrapper that leverages Vault's Transit secret
// engine
type Wrapper struct {
	client       transitClientEncryptor
	currentKeyId *atomic.Value
	keyIdPrefix  string
}

// Encrypt is used to encrypt using Vault's Transit engine
func (s *Wrapper) Encrypt(_ context.Context, plaintext []byte) (*BlobInfo, error) {
	ciphertext, err := s.client.Encrypt(plaintext)
	if err != nil {
		return nil, err
	}

	splitKey := strings.Split(string(ciphertext), ":")
	if len(splitKey) != 3 {
		return nil, errors.New("invalid ciphertext returned")
	}
	keyId := s.keyIdPrefix + splitKey[1]
	s.currentKeyId.Store(keyId)

	return &BlobInfo{Ciphertext: ciphertext, KeyId: keyId}, nil
}

// Decrypt is used to decrypt the ciphertext
func (s *Wrapper) Decrypt(_ context.Context, in *BlobInfo) ([]byte, error) {
	plaintext, err := s.client.Decrypt(in.Ciphertext)
	if err != nil {
		return nil, err
	}
	return plaintext, nil
}
