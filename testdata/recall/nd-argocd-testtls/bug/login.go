// Recall case nd-argocd-testtls
// Source: github.com/argoproj/argo-cd commit 3ee03f6af2c5b3930f2e6becaf7f9132d778be54 (cmd/argocd/commands/login.go)
// Link: https://github.com/argoproj/argo-cd/pull/9935
// Bug: `argocd login` -> TestTLS -> BlockingDial(context.Background(), ...) waits for a blocking gRPC dial with no deadline, so login hangs forever when the server never becomes READY.
// Fix: TestTLS takes a dialTime (30s from login) and gives every BlockingDial a context.WithTimeout(context.Background(), dialTime).
// Rule: nodeadline

package grpcutil

import (
	"errors"
)

// runLogin is the server-probing part of the Run func of `argocd login SERVER`
// (NewLoginCommand in cmd/argocd/commands/login.go).
func runLogin(server string, plainText bool) (bool, error) {
	tlsTestResult, err := TestTLS(server)
	if err != nil {
		return false, err
	}
	if !tlsTestResult.TLS {
		if !plainText {
			return false, errors.New("WARNING: server is not configured with TLS")
		}
		return true, nil
	}
	return plainText, nil
}
