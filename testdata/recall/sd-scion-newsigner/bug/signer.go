// Recall case sd-scion-newsigner
// Source: github.com/scionproto/scion commit 914b1a2e09d4dc6144dd55a2a5d164c3af0bb74e (control/trust.go, control/cmd/control/main.go)
// Link: https://github.com/scionproto/scion/commit/914b1a2e09d4dc6144dd55a2a5d164c3af0bb74e
// Bug: NewSigner, called from realMain(ctx), runs the initial signer generation (trust DB / key loading) under its own fresh budget context.WithTimeout(context.Background(), time.Second), ignoring the cancellation and deadline of the caller's ctx.
// Fix: NewSigner takes a ctx parameter and realMain passes context.WithTimeout(ctx, time.Second) derived from its own ctx.
// Rule: sharedeadline
package control

import (
	"context"
	"crypto"
	"database/sql"
	"errors"
	"path/filepath"
	"sync"
	"time"
)

// SignerGen loads the AS key and the matching certificate chain from the
// trust database (stand-in for trust.SignerGen / cstrust.CryptoLoader).
type SignerGen struct {
	IA  string
	DB  *sql.DB
	Dir string
}

type Signer struct {
	Key   crypto.Signer
	Chain []byte
}

func (g SignerGen) Generate(ctx context.Context) (Signer, error) {
	var chain []byte
	row := g.DB.QueryRowContext(ctx,
		"SELECT chain FROM chains WHERE ia = ? ORDER BY not_after DESC LIMIT 1", g.IA)
	if err := row.Scan(&chain); err != nil {
		return Signer{}, err
	}
	return Signer{Chain: chain}, nil
}

// CachingSignerGen caches the generated signer for Interval.
type CachingSignerGen struct {
	SignerGen SignerGen
	Interval  time.Duration

	mtx       sync.Mutex
	lastGen   time.Time
	cached    Signer
	cachedErr error
}

func (s *CachingSignerGen) Generate(ctx context.Context) (Signer, error) {
	s.mtx.Lock()
	defer s.mtx.Unlock()
	if time.Since(s.lastGen) < s.Interval {
		return s.cached, s.cachedErr
	}
	s.cached, s.cachedErr = s.SignerGen.Generate(ctx)
	s.lastGen = time.Now()
	return s.cached, s.cachedErr
}

// RenewingSigner signs with the most recent signer.
type RenewingSigner struct {
	SignerGen *CachingSignerGen
}

func (s RenewingSigner) Sign(ctx context.Context, msg []byte) ([]byte, error) {
	signer, err := s.SignerGen.Generate(ctx)
	if err != nil {
		return nil, err
	}
	if signer.Key == nil {
		return nil, errors.New("no key")
	}
	return signer.Key.Sign(nil, msg, crypto.Hash(0))
}

// newCachingSignerGen creates a caching signer generator (i.e. a key/cert loader).
func newCachingSignerGen(ia string, db *sql.DB, cfgDir string) *CachingSignerGen {
	return &CachingSignerGen{
		SignerGen: SignerGen{IA: ia, DB: db, Dir: filepath.Join(cfgDir, "crypto/as")},
		Interval:  5 * time.Second,
	}
}
