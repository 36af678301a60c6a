// Recall case sd-scion-newsigner
// Source: github.com/scionproto/scion commit 914b1a2e09d4dc6144dd55a2a5d164c3af0bb74e (control/trust.go, control/cmd/control/main.go)
// Link: https://github.com/scionproto/scion/commit/914b1a2e09d4dc6144dd55a2a5d164c3af0bb74e
// Bug: NewSigner, called from realMain(ctx), runs the initial signer generation (trust DB / key loading) under its own fresh budget context.WithTimeout(context.Background(), time.Second), ignoring the cancellation and deadline of the caller's ctx.
// Fix: NewSigner takes a ctx parameter and realMain passes context.WithTimeout(ctx, time.Second) derived from its own ctx.
// Rule: sharedeadline
package control

import (
	"context"
	"database/sql"
	"log"
	"time"
)

// NewSigner creates a renewing signer backed by a certificate chain.
func NewSigner(ia string, db *sql.DB, cfgDir string) RenewingSigner {
	signer := RenewingSigner{
		SignerGen: newCachingSignerGen(ia, db, cfgDir),
	}

	ctx, cancelF := context.WithTimeout(context.Background(), time.Second)
	defer cancelF()
	if _, err := signer.SignerGen.Generate(ctx); err != nil {
		log.Println("Initial signer generation failed", "err", err)
	}
	return signer
}
