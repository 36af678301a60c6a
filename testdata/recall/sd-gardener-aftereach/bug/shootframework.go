// Recall case sd-gardener-aftereach
// Source: github.com/gardener/gardener commit ef73528b5d580d8d7f8275ddf7faaf447e0b041b (test/framework/shootframework.go)
// Link: https://github.com/gardener/gardener/commit/ef73528b5d580d8d7f8275ddf7faaf447e0b041b
// Bug: AfterEach(ctx) dumps namespace resources under context.WithTimeout(context.Background(), 1*time.Minute), a fresh one-minute budget that ignores the caller's ctx and its deadline/cancellation.
// Fix: The dump context is derived from the caller's ctx: context.WithTimeout(ctx, 1*time.Minute).
// Rule: sharedeadline
package framework

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"
)

// Client is a small stand-in for the controller-runtime client talking to the API server.
type Client struct {
	HTTP *http.Client
	Host string
}

func (c *Client) do(ctx context.Context, method, path string) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.Host+path, nil)
	if err != nil {
		return 0, nil, err
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, body, err
}

// Delete deletes the namespace.
func (c *Client) Delete(ctx context.Context, namespace string) error {
	code, _, err := c.do(ctx, http.MethodDelete, "/api/v1/namespaces/"+namespace)
	if err != nil {
		return err
	}
	if code != http.StatusOK && code != http.StatusAccepted && code != http.StatusNotFound {
		return fmt.Errorf("delete namespace %s: HTTP %d", namespace, code)
	}
	return nil
}

func ExpectNoError(err error) {
	if err != nil {
		panic(err)
	}
}

type Shoot struct{ Name string }

type Config struct{ DisableTestNamespaceCleanup bool }

type ShootFramework struct {
	Config      *Config
	Shoot       *Shoot
	ShootClient *Client
	Namespace   string
	Failed      bool
}

// WaitUntilNamespaceIsDeleted polls until the namespace is gone or ctx is done.
func (f *ShootFramework) WaitUntilNamespaceIsDeleted(ctx context.Context, c *Client, name string) error {
	ticker := time.NewTicker(5 * time.Second)
	defer ticker.Stop()
	for {
		code, _, err := c.do(ctx, http.MethodGet, "/api/v1/namespaces/"+name)
		if err == nil && code == http.StatusNotFound {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ticker.C:
		}
	}
}

func (f *ShootFramework) dumpNamespaceResource(ctx context.Context, ctxIdentifier string, c *Client, namespace string) error {
	_, body, err := c.do(ctx, http.MethodGet, "/api/v1/namespaces/"+namespace)
	if err != nil {
		return err
	}
	fmt.Printf("%s namespace: %s\n", ctxIdentifier, body)
	return nil
}

// DumpDefaultResourcesInNamespace prints pods and events of the namespace.
func (f *ShootFramework) DumpDefaultResourcesInNamespace(ctx context.Context, ctxIdentifier string, c *Client, namespace string) error {
	for _, kind := range []string{"pods", "events"} {
		_, body, err := c.do(ctx, http.MethodGet, "/api/v1/namespaces/"+namespace+"/"+kind)
		if err != nil {
			return err
		}
		fmt.Printf("%s %s: %s\n", ctxIdentifier, kind, body)
	}
	return nil
}

func (f *ShootFramework) DumpState(ctx context.Context) {}

// AfterEach should be called in ginkgo's AfterEach.
// Cleans up resources and dumps the shoot state if the test failed
func (f *ShootFramework) AfterEach(ctx context.Context) {
	if f.Failed {
		f.DumpState(ctx)
	}
	if !f.Config.DisableTestNamespaceCleanup && f.Namespace != "" {
		ns := f.Namespace
		f.Namespace = ""
		err := f.ShootClient.Delete(ctx, ns)
		ExpectNoError(err)
		err = f.WaitUntilNamespaceIsDeleted(ctx, f.ShootClient, ns)
		if err != nil {
			ctx2, cancel := context.WithTimeout(context.Background(), 1*time.Minute)
			defer cancel()
			err2 := f.dumpNamespaceResource(ctx2, fmt.Sprintf("[SHOOT %s] [NAMESPACE %s]", f.Shoot.Name, ns), f.ShootClient, ns)
			ExpectNoError(err2)
			err2 = f.DumpDefaultResourcesInNamespace(ctx2, fmt.Sprintf("[SHOOT %s] [NAMESPACE %s]", f.Shoot.Name, ns), f.ShootClient, ns)
			ExpectNoError(err2)
		}
		ExpectNoError(err)
		fmt.Printf("deleted test namespace %s\n", ns)
	}
}
