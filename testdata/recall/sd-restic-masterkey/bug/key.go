// Recall case sd-restic-masterkey
// Source: github.com/restic/restic commit a44945002161de31ce3d08222c291ebcb4e13527 (internal/repository/key.go)
// Link: https://github.com/restic/restic/pull/2933
// Bug: Repository.init(ctx, ...) calls the helper createMasterKey(r, password), which has no ctx parameter and calls AddKey(context.TODO(), ...), so the key upload to the backend (an HTTP POST) ignores the caller's cancellation/deadline during `restic init`.
// Fix: createMasterKey takes a ctx parameter and passes it to AddKey, and Repository.init passes its ctx to createMasterKey.
// Rule: sharedeadline
package repository

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/ioutil"
	"net/http"
	"os"
	"os/user"
	"time"
)

// ---- restic package stand-ins ----

// FileType is the type of a file in the backend.
type FileType string

const (
	KeyFile    FileType = "key"
	ConfigFile FileType = "config"
)

// Handle is used to store and access data in a backend.
type Handle struct {
	Type FileType
	Name string
}

// Hash returns the ID for data.
func Hash(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// Config contains the configuration for a repository.
type Config struct {
	Version           uint   `json:"version"`
	ID                string `json:"id"`
	ChunkerPolynomial uint64 `json:"chunker_polynomial"`
}

// Backend is used to store and access data.
type Backend interface {
	Test(ctx context.Context, h Handle) (bool, error)
	Save(ctx context.Context, h Handle, rd io.Reader, length int64) error
}

// ---- internal/backend/rest stand-in ----

// RESTBackend uses the REST protocol to access data stored on a server.
type RESTBackend struct {
	url    string
	client *http.Client
}

func (b *RESTBackend) Filename(h Handle) string {
	if h.Type == ConfigFile {
		return b.url + "/config"
	}
	return b.url + "/" + string(h.Type) + "s/" + h.Name
}

// Test returns true if a blob of the given type and name exists in the backend.
func (b *RESTBackend) Test(ctx context.Context, h Handle) (bool, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodHead, b.Filename(h), nil)
	if err != nil {
		return false, err
	}
	resp, err := b.client.Do(req)
	if err != nil {
		return false, err
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK, nil
}

// Save stores data in the backend at the handle.
func (b *RESTBackend) Save(ctx context.Context, h Handle, rd io.Reader, length int64) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	// make sure that client.Post() cannot close the reader by wrapping it
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, b.Filename(h), ioutil.NopCloser(rd))
	if err != nil {
		return fmt.Errorf("NewRequest: %w", err)
	}
	req.Header.Set("Content-Type", "application/octet-stream")
	req.ContentLength = length

	resp, err := b.client.Do(req)
	if err != nil {
		return fmt.Errorf("client.Post: %w", err)
	}
	defer resp.Body.Close()

	if resp.StatusCode != 200 {
		return fmt.Errorf("server response unexpected: %v (%v)", resp.Status, resp.StatusCode)
	}
	return nil
}

// ---- internal/crypto stand-in ----

// CryptoKey holds an AEAD key.
type CryptoKey struct {
	aead cipher.AEAD
	Raw  []byte `json:"raw"`
}

func newCryptoKey(raw []byte) *CryptoKey {
	block, err := aes.NewCipher(raw)
	if err != nil {
		panic(err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		panic(err)
	}
	return &CryptoKey{aead: aead, Raw: raw}
}

// NewRandomKey returns a new random key.
func NewRandomKey() *CryptoKey {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		panic(err)
	}
	return newCryptoKey(raw)
}

// KDF derives a key from a password.
func KDF(salt []byte, password string) (*CryptoKey, error) {
	sum := sha256.Sum256(append(append([]byte{}, salt...), password...))
	return newCryptoKey(sum[:]), nil
}

// ---- internal/repository/key.go ----

// Key represents an encrypted master key for a repository.
type Key struct {
	Created  time.Time `json:"created"`
	Username string    `json:"username"`
	Hostname string    `json:"hostname"`

	KDF  string `json:"kdf"`
	Salt []byte `json:"salt"`
	Data []byte `json:"data"`

	user   *CryptoKey
	master *CryptoKey

	name string
}

// createMasterKey creates a new master key in the given backend and encrypts
// it with the password.
func createMasterKey(s *Repository, password string) (*Key, error) {
	return AddKey(context.TODO(), s, password, "", "", nil)
}

// AddKey adds a new key to an already existing repository.
func AddKey(ctx context.Context, s *Repository, password, username, hostname string, template *CryptoKey) (*Key, error) {
	// fill meta data about key
	newkey := &Key{
		Created:  time.Now(),
		Username: username,
		Hostname: hostname,

		KDF: "scrypt",
	}

	if newkey.Hostname == "" {
		newkey.Hostname, _ = os.Hostname()
	}

	if newkey.Username == "" {
		usr, err := user.Current()
		if err == nil {
			newkey.Username = usr.Username
		}
	}

	// generate random salt
	newkey.Salt = make([]byte, 64)
	if _, err := rand.Read(newkey.Salt); err != nil {
		panic("unable to read enough random bytes for salt: " + err.Error())
	}

	// call KDF to derive user key
	var err error
	newkey.user, err = KDF(newkey.Salt, password)
	if err != nil {
		return nil, err
	}

	if template == nil {
		// generate new random master keys
		newkey.master = NewRandomKey()
	} else {
		// copy master keys from old key
		newkey.master = template
	}

	// encrypt master keys (as json) with user key
	buf, err := json.Marshal(newkey.master)
	if err != nil {
		return nil, fmt.Errorf("Marshal: %w", err)
	}

	nonce := make([]byte, newkey.user.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	ciphertext := make([]byte, 0, len(buf)+newkey.user.aead.Overhead()+newkey.user.aead.NonceSize())
	ciphertext = append(ciphertext, nonce...)
	ciphertext = newkey.user.aead.Seal(ciphertext, nonce, buf, nil)
	newkey.Data = ciphertext

	// dump as json
	buf, err = json.Marshal(newkey)
	if err != nil {
		return nil, fmt.Errorf("Marshal: %w", err)
	}

	// store in repository and return
	h := Handle{
		Type: KeyFile,
		Name: Hash(buf),
	}

	err = s.be.Save(ctx, h, bytes.NewReader(buf), int64(len(buf)))
	if err != nil {
		return nil, err
	}

	newkey.name = h.Name

	return newkey, nil
}

// Name returns an identifier for the key.
func (k Key) Name() string {
	return k.name
}

// ---- internal/repository/repository.go ----

// Repository is used to access a repository in a backend.
type Repository struct {
	be      Backend
	cfg     Config
	key     *CryptoKey
	keyName string
}

// New returns a new repository with backend be.
func New(be Backend) *Repository {
	return &Repository{be: be}
}

// NewRESTRepository returns a repository stored on a REST server.
func NewRESTRepository(url string) *Repository {
	return New(&RESTBackend{url: url, client: &http.Client{}})
}

// SaveJSONUnpacked serialises item as JSON and encrypts and saves it in the
// backend as type t, without a pack.
func (r *Repository) SaveJSONUnpacked(ctx context.Context, t FileType, item interface{}) (string, error) {
	plaintext, err := json.Marshal(item)
	if err != nil {
		return "", fmt.Errorf("json.Marshal: %w", err)
	}
	nonce := make([]byte, r.key.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	ciphertext := r.key.aead.Seal(append([]byte{}, nonce...), nonce, plaintext, nil)
	id := Hash(ciphertext)
	h := Handle{Type: t, Name: id}
	if err := r.be.Save(ctx, h, bytes.NewReader(ciphertext), int64(len(ciphertext))); err != nil {
		return "", err
	}
	return id, nil
}

// Init creates a new master key with the supplied password, initializes and
// saves the repository config.
func (r *Repository) Init(ctx context.Context, password string, chunkerPolynomial *uint64) error {
	has, err := r.be.Test(ctx, Handle{Type: ConfigFile})
	if err != nil {
		return err
	}
	if has {
		return errors.New("repository master key and config already initialized")
	}

	cfg := Config{Version: 1}
	if chunkerPolynomial != nil {
		cfg.ChunkerPolynomial = *chunkerPolynomial
	}

	return r.init(ctx, password, cfg)
}

// init creates a new master key with the supplied password and uses it to save
// the config into the repo.
func (r *Repository) init(ctx context.Context, password string, cfg Config) error {
	key, err := createMasterKey(r, password)
	if err != nil {
		return err
	}

	r.key = key.master
	r.keyName = key.Name()
	r.cfg = cfg
	_, err = r.SaveJSONUnpacked(ctx, ConfigFile, cfg)
	return err
}
