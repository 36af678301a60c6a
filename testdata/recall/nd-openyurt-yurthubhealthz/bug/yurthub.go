// Recall case nd-openyurt-yurthubhealthz
// Source: github.com/openyurtio/openyurt commit 6a52dcc7ba9efa8fa44fc23afeabbe3f59f2fc32 (pkg/yurtadm/util/yurthub/yurthub.go)
// Link: https://github.com/openyurtio/openyurt/commit/6a52dcc7ba9efa8fa44fc23afeabbe3f59f2fc32
// Bug: the health/readyz polling closures send a request built once with http.NewRequest (no context) through an http.Client without Timeout, ignoring the poll ctx, so a stalled YurtHub makes client.Do hang with no deadline.
// Fix: build the request inside the closure with http.NewRequestWithContext(ctx, ...) using the poll context (and close the body).
// Rule: nodeadline
package yurthub

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"
)

const (
	ServerHealthzURLPath = "/v1/healthz"
	ServerReadyzURLPath  = "/v1/readyz"
)

// ConditionWithContextFunc mirrors k8s.io/apimachinery/pkg/util/wait.ConditionWithContextFunc.
type ConditionWithContextFunc func(ctx context.Context) (done bool, err error)

// pollUntilContextTimeout is a stand-in for wait.PollUntilContextTimeout: it
// bounds the whole poll by timeout and hands the poll context to condition.
func pollUntilContextTimeout(ctx context.Context, interval, timeout time.Duration, immediate bool, condition ConditionWithContextFunc) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	if immediate {
		if ok, err := condition(ctx); err != nil || ok {
			return err
		}
	}
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ticker.C:
		}
		if ok, err := condition(ctx); err != nil || ok {
			return err
		}
	}
}

// CheckYurthubHealthz check if YurtHub is healthy.
func CheckYurthubHealthz(yurthubServer string) error {
	req, err := http.NewRequest(http.MethodGet, fmt.Sprintf("http://%s%s", fmt.Sprintf("%s:10267", yurthubServer), ServerHealthzURLPath), nil)
	if err != nil {
		return err
	}
	client := &http.Client{}
	return pollUntilContextTimeout(context.Background(), time.Second*5, 300*time.Second, true, func(ctx context.Context) (bool, error) {
		resp, err := client.Do(req)
		if err != nil {
			return false, nil
		}
		ok, err := io.ReadAll(resp.Body)
		if err != nil {
			return false, nil
		}
		return string(ok) == "OK", nil
	})
}

// CheckYurthubReadyz check if YurtHub's certificates are ready or not
func CheckYurthubReadyz(yurthubServer string) error {
	req, err := http.NewRequest(http.MethodGet, fmt.Sprintf("http://%s%s", fmt.Sprintf("%s:10267", yurthubServer), ServerReadyzURLPath), nil)
	if err != nil {
		return err
	}
	client := &http.Client{}
	return pollUntilContextTimeout(context.Background(), time.Second*5, 300*time.Second, true, func(ctx context.Context) (bool, error) {
		resp, err := client.Do(req)
		if err != nil {
			return false, nil
		}
		ok, err := io.ReadAll(resp.Body)
		if err != nil {
			return false, nil
		}
		return string(ok) == "OK", nil
	})
}
