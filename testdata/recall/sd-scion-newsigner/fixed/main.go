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

type config struct {
	IA        string
	ConfigDir string
}

func realMain(ctx context.Context, cfg config, trustDB *sql.DB) error {
	ctxSigner, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	signer := NewSigner(ctxSigner, cfg.IA, trustDB, cfg.ConfigDir)

	ticker := time.NewTicker(time.Minute)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ticker.C:
			if _, err := signer.Sign(ctx, []byte{}); err != nil {
				log.Println("Signer health check failed", "err", err)
			}
		}
	}
}
