// Recall case sc-skupper-retrywithcontext
// Source: github.com/skupperproject/skupper commit a618477ff6f0b74dd1583f0af04eb9d8d36ecf09 (pkg/utils/retry.go, client/policy_validator.go)
// Link: https://github.com/skupperproject/skupper/commit/a618477ff6f0b74dd1583f0af04eb9d8d36ecf09
// Bug: RetryWithContext replaces the context's expiry with fmt.Errorf("the context timeout has been reached"), so execGet cannot recognise the timeout (os.IsTimeout / errors.Is fail) and reports a generic API failure.
// Fix: RetryWithContext returns context.DeadlineExceeded on ctx.Done(), and execGet checks os.IsTimeout(err) to report that Skupper is not enabled.
// Rule: swallowcancel
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"os/exec"
	"strings"
	"time"
)

type ConditionFunc func() (bool, error)

// RetryWithContext retries f every interval until the specified context times out.
func RetryWithContext(ctx context.Context, interval time.Duration, f ConditionFunc) error {
	tick := time.NewTicker(interval)
	defer tick.Stop()

	for {
		select {
		case <-ctx.Done():
			return fmt.Errorf("the context timeout has been reached")
		case <-tick.C:
			r, err := f()
			if err != nil {
				return err
			}
			if r {
				return nil
			}
		}
	}
}

// VanClient is a stand-in for the skupper client; exec runs a command in
// the service-controller pod through kubectl.
type VanClient struct {
	Namespace string
	Pod       string
}

func (c *VanClient) GetNamespace() string { return c.Namespace }

func (c *VanClient) exec(command []string, namespace string) (*bytes.Buffer, error) {
	args := append([]string{"exec", "-n", namespace, c.Pod, "--", "get"}, command...)
	cmd := exec.Command("kubectl", args...)
	var out, stderr bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return nil, errors.New(msg)
		}
		return nil, err
	}
	return &out, nil
}

type PolicyAPIClient struct {
	cli *VanClient
}

type PolicyAPIResult struct {
	Allowed   bool     `json:"allowed"`
	AllowedBy []string `json:"allowedBy"`
	Enabled   bool     `json:"enabled"`
	Error     string   `json:"error"`
}

func NewPolicyValidatorAPI(cli *VanClient) *PolicyAPIClient {
	return &PolicyAPIClient{
		cli: cli,
	}
}

func (p *PolicyAPIClient) execGet(args ...string) (*PolicyAPIResult, error) {
	ctx, cn := context.WithTimeout(context.Background(), time.Second*30)
	defer cn()
	err := RetryWithContext(ctx, time.Millisecond*100, func() (bool, error) {
		_, err := p.cli.exec([]string{"get", "policies", "-h"}, p.cli.GetNamespace())
		if err != nil {
			if err.Error() == "Not ready" {
				return false, nil
			} else if err.Error() == "Not found" {
				return false, fmt.Errorf("Skupper is not enabled in namespace '%s'", p.cli.Namespace)
			}
			return true, err
		}
		return true, nil
	})
	if err != nil {
		if err.Error() == "command terminated with exit code 1" {
			// site is running an older version without policy support
			return &PolicyAPIResult{
				Allowed: true,
				Enabled: false,
			}, nil
		}
		err := fmt.Errorf("Unable to communicate with the API: %v", err)
		log.Printf("PolicyAPIError: %s", err.Error())
		return &PolicyAPIResult{
			Allowed: false,
			Enabled: false,
		}, fmt.Errorf("Policy validation error: %v", err)
	}
	fullArgs := []string{"get", "policies"}
	fullArgs = append(fullArgs, args...)
	fullArgs = append(fullArgs, "-o", "json")
	out, err := p.cli.exec(fullArgs, p.cli.GetNamespace())
	if err != nil {
		return nil, fmt.Errorf("Policy validation error: %v", err)
	}
	res := &PolicyAPIResult{}
	err = json.Unmarshal(out.Bytes(), res)
	if err != nil {
		return nil, fmt.Errorf("Policy validation error: %v", err)
	}
	return res, nil
}
