// Recall case nd-gateway-api-dumpechologs
// Source: github.com/kubernetes-sigs/gateway-api commit 1a74256ae4316a615c4641ccec0a0c6853db0e6e (conformance/utils/kubernetes/logs.go)
// Link: https://github.com/kubernetes-sigs/gateway-api/commit/1a74256ae4316a615c4641ccec0a0c6853db0e6e
// Bug: DumpEchoLogs lists pods and streams pod logs from the API server with context.TODO(), so both network calls have no deadline and ignore the caller's test context.
// Fix: DumpEchoLogs takes a ctx parameter (callers pass t.Context()) and threads it into List and the log Stream.
// Rule: nodeadline
package kubernetes

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Pod is a reduced stand-in for corev1.Pod.
type Pod struct {
	Name  string
	Phase string
}

// Client is a stand-in for the controller-runtime client talking to the API server.
type Client struct {
	BaseURL string
	HTTP    *http.Client
}

// List fetches pods of namespace ns matching label app=name.
func (c *Client) List(ctx context.Context, ns, app string) ([]Pod, error) {
	u := c.BaseURL + "/api/v1/namespaces/" + url.PathEscape(ns) + "/pods?labelSelector=app%3D" + url.QueryEscape(app)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var pods []Pod
	if err := json.NewDecoder(resp.Body).Decode(&pods); err != nil {
		return nil, err
	}
	return pods, nil
}

// LogRequest is a stand-in for the client-go GetLogs request.
type LogRequest struct {
	c     *Client
	ns    string
	pod   string
	since time.Time
}

// GetLogs builds a log request for a pod.
func (c *Client) GetLogs(ns, pod string, since time.Time) *LogRequest {
	return &LogRequest{c: c, ns: ns, pod: pod, since: since}
}

// Stream opens the pod log stream.
func (r *LogRequest) Stream(ctx context.Context) (io.ReadCloser, error) {
	u := r.c.BaseURL + "/api/v1/namespaces/" + url.PathEscape(r.ns) + "/pods/" + url.PathEscape(r.pod) + "/log?sinceTime=" + url.QueryEscape(r.since.Format(time.RFC3339))
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := r.c.HTTP.Do(req)
	if err != nil {
		return nil, err
	}
	return resp.Body, nil
}

// DumpEchoLogs returns logs of the echoserver pod in
// in the given namespace and with the given name.
func DumpEchoLogs(ns, name string, c *Client, time time.Time) ([]string, error) {
	var logs []string

	pods, err := c.List(context.TODO(), ns, name)
	if err != nil {
		return nil, err
	}

	for _, pod := range pods {
		if pod.Phase == "Failed" {
			continue
		}
		req := c.GetLogs(ns, pod.Name, time)
		logStream, err := req.Stream(context.TODO())
		if err != nil {
			continue
		}
		defer logStream.Close()
		logBytes, err := io.ReadAll(logStream)
		if err != nil {
			continue
		}

		lines := strings.Split(string(logBytes), "\n")
		logs = append(logs, lines...)
	}

	return logs, nil
}
