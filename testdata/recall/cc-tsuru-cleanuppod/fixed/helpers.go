// Recall case cc-tsuru-cleanuppod
// Source: github.com/tsuru/tsuru commit 7ec6f1bbf3009424bf107cab2185ea8df0bbfb32 (provision/kubernetes/helpers.go)
// Link: https://github.com/tsuru/tsuru/commit/7ec6f1bbf3009424bf107cab2185ea8df0bbfb32
// Bug: runPod defers cleanupPod(ctx, ...) with the operation's ctx; when that ctx is cancelled (client disconnect / cancelled deploy) the deferred pod DELETE fails immediately with "context canceled" and the pod is leaked.
// Fix: the deferred cleanup is given tsuruNet.WithoutCancel(ctx) (here: context.WithoutCancel) so it still runs after cancellation.
// Rule: cleanupctx
package kubernetes

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"time"
)

// WithoutCancel mirrors tsuru's net.WithoutCancel helper.
func WithoutCancel(ctx context.Context) context.Context {
	return context.WithoutCancel(ctx)
}

// ClusterClient is a reduced stand-in for the kubernetes clientset: it talks to the API server over HTTP.
type ClusterClient struct {
	httpClient *http.Client
	apiURL     string
}

type Pod struct {
	Name      string            `json:"name"`
	Namespace string            `json:"namespace"`
	Labels    map[string]string `json:"labels"`
	Image     string            `json:"image"`
	Command   []string          `json:"command"`
	Phase     string            `json:"phase,omitempty"`
}

func (c *ClusterClient) podURL(ns, name string) string {
	return fmt.Sprintf("%s/api/v1/namespaces/%s/pods/%s", c.apiURL, ns, name)
}

func (c *ClusterClient) do(ctx context.Context, method, url string, body any, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return err
	}
	resp, err := c.httpClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return errNotFound
	}
	if resp.StatusCode >= 300 {
		return fmt.Errorf("api server returned %s", resp.Status)
	}
	if out != nil {
		return json.NewDecoder(resp.Body).Decode(out)
	}
	return nil
}

var errNotFound = errors.New("not found")

func (c *ClusterClient) CreatePod(ctx context.Context, pod *Pod) error {
	return c.do(ctx, http.MethodPost, fmt.Sprintf("%s/api/v1/namespaces/%s/pods", c.apiURL, pod.Namespace), pod, nil)
}

func (c *ClusterClient) DeletePod(ctx context.Context, ns, name string, gracePeriod int64) error {
	return c.do(ctx, http.MethodDelete, fmt.Sprintf("%s?gracePeriodSeconds=%d", c.podURL(ns, name), gracePeriod), nil, nil)
}

func (c *ClusterClient) GetPod(ctx context.Context, ns, name string) (*Pod, error) {
	var p Pod
	err := c.do(ctx, http.MethodGet, c.podURL(ns, name), nil, &p)
	return &p, err
}

func (c *ClusterClient) Attach(ctx context.Context, ns, name string, stdin io.Reader, stdout io.Writer) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.podURL(ns, name)+"/attach", stdin)
	if err != nil {
		return err
	}
	resp, err := c.httpClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, err = io.Copy(stdout, resp.Body)
	return err
}

type runSinglePodArgs struct {
	client *ClusterClient
	stdout io.Writer
	stdin  io.Reader
	labels map[string]string
	cmds   []string
	name   string
	image  string
	ns     string
}

const (
	podRunningTimeout = 10 * time.Minute
	podReadyTimeout   = time.Minute
)

func cleanupPod(ctx context.Context, client *ClusterClient, podName, namespace string) error {
	noWait := int64(0)
	err := client.DeletePod(ctx, namespace, podName, noWait)
	if err != nil && !errors.Is(err, errNotFound) {
		log.Printf("[cleanupPod] Deferred cleanup action failed %s", err.Error())
		return err
	}
	return nil
}

func waitForPod(ctx context.Context, client *ClusterClient, pod *Pod, ns string, returnOnRunning bool) error {
	for {
		p, err := client.GetPod(ctx, ns, pod.Name)
		if err != nil {
			return err
		}
		if p.Phase == "Succeeded" || (returnOnRunning && p.Phase == "Running") {
			return nil
		}
		if p.Phase == "Failed" {
			return fmt.Errorf("pod %s failed", pod.Name)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Second):
		}
	}
}

func runPod(ctx context.Context, args runSinglePodArgs) error {
	ns := args.ns
	pod := &Pod{
		Name:      args.name,
		Namespace: ns,
		Labels:    args.labels,
		Image:     args.image,
		Command:   args.cmds,
	}
	err := args.client.CreatePod(ctx, pod)
	if err != nil {
		return err
	}
	defer cleanupPod(WithoutCancel(ctx), args.client, pod.Name, ns)

	var errs []error
	tctx, cancel := context.WithTimeout(ctx, podRunningTimeout)
	err = waitForPod(tctx, args.client, pod, ns, true)
	cancel()
	if err != nil {
		errs = append(errs, err)
	}
	if args.stdin == nil {
		args.stdin = bytes.NewBufferString(".")
	}
	err = args.client.Attach(ctx, ns, pod.Name, args.stdin, args.stdout)
	if err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	tctx, cancel = context.WithTimeout(ctx, podReadyTimeout)
	defer cancel()
	return waitForPod(tctx, args.client, pod, ns, false)
}
