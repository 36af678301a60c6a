// Recall case sc-go-smb2-contexterror
// Source: github.com/CloudSoda/go-smb2 commit fc258e36e84b4a72f6c2038190fa34c84f16f925 (conn.go)
// Link: https://github.com/CloudSoda/go-smb2/commit/fc258e36e84b4a72f6c2038190fa34c84f16f925
// Bug: Every context error (send, recv, credit loan) is replaced by a custom &ContextError{Err: ctx.Err()} that has no Unwrap method, so callers checking errors.Is(err, context.Canceled/DeadlineExceeded) never see the cancellation.
// Fix: Remove ContextError and return ctx.Err() directly at every cancellation site.
// Rule: swallowcancel
package smb2

import (
	"context"
)

type account struct {
	balance chan struct{}
}

func openAccount(maxCreditBalance uint16) *account {
	balance := make(chan struct{}, maxCreditBalance)

	balance <- struct{}{} // initial balance

	return &account{
		balance: balance,
	}
}

func (a *account) loan(creditCharge uint16, ctx context.Context) (uint16, bool, error) {
	select {
	case <-a.balance:
	case <-ctx.Done():
		return 0, false, &ContextError{Err: ctx.Err()}
	}

	for i := uint16(1); i < creditCharge; i++ {
		select {
		case <-a.balance:
		default:
			return i, false, nil
		}
	}

	return creditCharge, true, nil
}
