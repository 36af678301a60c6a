// Recall case nd-spire-keymanager-sign
// Source: github.com/spiffe/spire commit 1961cd7c99d1d21c209c5d12dd5f18cdc6eeb3f5 (pkg/common/cryptoutil/signer.go)
// Link: https://github.com/spiffe/spire/commit/1961cd7c99d1d21c209c5d12dd5f18cdc6eeb3f5
// Bug: KeyManagerSigner.Sign (called by x509.CreateCertificate from CreateCertificate) hands context.Background() to the KeyManager plugin RPC SignData, and GetPublicKey passes the caller ctx unbounded, so a stuck KeyManager plugin blocks forever.
// Fix: Sign uses context.WithTimeout(context.Background(), RPCTimeout) and GetPublicKey wraps ctx with context.WithTimeout(ctx, RPCTimeout) (30s).
// Rule: nodeadline
package cryptoutil

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
)

// ---- stub of the KeyManager plugin client (a gRPC client over go-plugin in SPIRE) ----
// Like a gRPC ClientConn it imposes no deadline of its own: only ctx bounds each call.

type SignDataRequest struct {
	KeyId         string `json:"key_id"`
	Data          []byte `json:"data"`
	HashAlgorithm int32  `json:"hash_algorithm,omitempty"`
	SaltLength    int32  `json:"salt_length,omitempty"`
	PSS           bool   `json:"pss,omitempty"`
}

type SignDataResponse struct {
	Signature []byte `json:"signature"`
}

type GetPublicKeyRequest struct {
	KeyId string `json:"key_id"`
}

type GetPublicKeyResponse struct {
	PkixData []byte `json:"pkix_data"`
}

type KeyManager interface {
	SignData(ctx context.Context, req *SignDataRequest) (*SignDataResponse, error)
	GetPublicKey(ctx context.Context, req *GetPublicKeyRequest) (*GetPublicKeyResponse, error)
}

type pluginKeyManager struct {
	client   *http.Client
	endpoint string
}

func NewPluginKeyManager(client *http.Client, endpoint string) KeyManager {
	return &pluginKeyManager{client: client, endpoint: endpoint}
}

func (p *pluginKeyManager) call(ctx context.Context, method string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.endpoint+"/spire.plugin.server.keymanager.v1.KeyManager/"+method, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := p.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("keymanager %s failed: %s", method, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

func (p *pluginKeyManager) SignData(ctx context.Context, req *SignDataRequest) (*SignDataResponse, error) {
	out := new(SignDataResponse)
	if err := p.call(ctx, "SignData", req, out); err != nil {
		return nil, err
	}
	return out, nil
}

func (p *pluginKeyManager) GetPublicKey(ctx context.Context, req *GetPublicKeyRequest) (*GetPublicKeyResponse, error) {
	out := new(GetPublicKeyResponse)
	if err := p.call(ctx, "GetPublicKey", req, out); err != nil {
		return nil, err
	}
	return out, nil
}

// ---- upstream code (pkg/common/cryptoutil) ----

func GetPublicKey(ctx context.Context, km KeyManager, keyID string) (crypto.PublicKey, error) {
	resp, err := km.GetPublicKey(ctx, &GetPublicKeyRequest{
		KeyId: keyID,
	})
	if err != nil {
		return nil, err
	}
	if len(resp.PkixData) == 0 {
		return nil, errors.New("response missing public key")
	}
	publicKey, err := x509.ParsePKIXPublicKey(resp.PkixData)
	if err != nil {
		return nil, fmt.Errorf("unable to parse public key pkix data: %v", err)
	}
	return publicKey, nil
}

type KeyManagerSigner struct {
	km        KeyManager
	keyID     string
	publicKey crypto.PublicKey
}

var _ crypto.Signer = (*KeyManagerSigner)(nil)

func NewKeyManagerSigner(km KeyManager, keyID string, publicKey crypto.PublicKey) *KeyManagerSigner {
	return &KeyManagerSigner{
		km:        km,
		keyID:     keyID,
		publicKey: publicKey,
	}
}

func (s *KeyManagerSigner) KeyID() string {
	return s.keyID
}

func (s *KeyManagerSigner) Public() crypto.PublicKey {
	return s.publicKey
}

func (s *KeyManagerSigner) SignContext(ctx context.Context, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	req := &SignDataRequest{
		KeyId: s.keyID,
		Data:  digest,
	}
	switch opts := opts.(type) {
	case *rsa.PSSOptions:
		req.PSS = true
		req.SaltLength = int32(opts.SaltLength)
		req.HashAlgorithm = int32(opts.Hash)
	default:
		req.HashAlgorithm = int32(opts.HashFunc())
	}

	resp, err := s.km.SignData(ctx, req)
	if err != nil {
		return nil, err
	}
	if len(resp.Signature) == 0 {
		return nil, fmt.Errorf("response missing signature data")
	}
	return resp.Signature, nil
}

func (s *KeyManagerSigner) Sign(_ io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	// rand is purposefully ignored since it can't be communicated between
	// the plugin boundary. The crypto.Signer interface implies this is ok
	// when it says "possibly using entropy from rand".
	return s.SignContext(context.Background(), digest, opts)
}

// ---- upstream caller (pkg/common/x509util/cert.go) ----

func CreateCertificate(ctx context.Context, km KeyManager, template, parent *x509.Certificate, parentKeyID string, publicKey crypto.PublicKey) (*x509.Certificate, error) {
	parentPublicKey := parent.PublicKey
	if parentPublicKey == nil {
		// Pull the public key from the key manager. In the self-signing case, the
		// parent certificate PublicKey field is not likely to be set.
		var err error
		parentPublicKey, err = GetPublicKey(ctx, km, parentKeyID)
		if err != nil {
			return nil, err
		}
	}

	signer := NewKeyManagerSigner(km, parentKeyID, parentPublicKey)
	certDER, err := x509.CreateCertificate(rand.Reader, template, parent, publicKey, signer)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(certDER)
	if err != nil {
		return nil, err
	}

	return cert, nil
}
