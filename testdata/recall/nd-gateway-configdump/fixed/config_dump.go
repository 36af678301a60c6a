// Recall case nd-gateway-configdump
// Source: github.com/envoyproxy/gateway commit ac5749abe948395eccb5f8f56d2ec9ad7f09573c (internal/troubleshoot/collect/config_dump.go)
// Link: https://github.com/envoyproxy/gateway/commit/ac5749abe948395eccb5f8f56d2ec9ad7f09573c
// Bug: ConfigDump.Collect lists the proxy pods from the Kubernetes API server with context.TODO(), so a slow or unreachable API server makes the collector hang forever.
// Fix: Collect creates a context.WithTimeout (configurable, 30s default) and passes it to listPods.
// Rule: nodeadline
package collect

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

const (
	SecretsConfigDumpTypeURL = "type.googleapis.com/envoy.admin.v3.SecretsConfigDump"
	// DefaultConfigDumpTimeout is the default timeout for config dump collection
	DefaultConfigDumpTimeout = 30 * time.Second
)

// RestConfig is a reduced stand-in for k8s.io/client-go/rest.Config.
type RestConfig struct {
	Host        string
	BearerToken string
}

// Pod is a reduced stand-in for corev1.Pod.
type Pod struct {
	Metadata struct {
		Name      string `json:"name"`
		Namespace string `json:"namespace"`
	} `json:"metadata"`
	Status struct {
		PodIP string `json:"podIP"`
	} `json:"status"`
}

// kubeClient is a reduced stand-in for kubernetes.Interface, talking to the API server over HTTP.
type kubeClient struct {
	cfg  *RestConfig
	http *http.Client
}

func newKubeClient(cfg *RestConfig) (*kubeClient, error) {
	if cfg == nil || cfg.Host == "" {
		return nil, fmt.Errorf("missing rest config")
	}
	return &kubeClient{cfg: cfg, http: &http.Client{}}, nil
}

// ListPods mirrors client.CoreV1().Pods(ns).List(ctx, opts).
func (c *kubeClient) ListPods(ctx context.Context, namespace, labelSelector string) ([]Pod, error) {
	u := fmt.Sprintf("%s/api/v1/namespaces/%s/pods?labelSelector=%s", c.cfg.Host, namespace, url.QueryEscape(labelSelector))
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.cfg.BearerToken)
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var list struct {
		Items []Pod `json:"items"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		return nil, err
	}
	return list.Items, nil
}

// ConfigDump defines a collector that dumps the envoy configuration of the proxy pod.
type ConfigDump struct {
	BundlePath   string
	Namespace    string
	ClientConfig *RestConfig

	EnableSDS bool
	// Timeout is the timeout for collecting config dumps. If not set, defaults to DefaultConfigDumpTimeout.
	Timeout time.Duration
}

func (cd ConfigDump) Title() string {
	return "config-dump"
}

// getTimeout returns the configured timeout, or the default if not set
func (cd ConfigDump) getTimeout() time.Duration {
	if cd.Timeout > 0 {
		return cd.Timeout
	}
	return DefaultConfigDumpTimeout
}

func (cd ConfigDump) Collect(_ chan<- interface{}) (map[string][]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), cd.getTimeout())
	defer cancel()

	client, err := newKubeClient(cd.ClientConfig)
	if err != nil {
		return nil, err
	}

	pods, err := listPods(ctx, client, cd.Namespace, map[string]string{
		"app.kubernetes.io/component":  "proxy",
		"app.kubernetes.io/managed-by": "envoy-gateway",
		"app.kubernetes.io/name":       "envoy",
	})
	if err != nil {
		return nil, err
	}

	output := map[string][]byte{}

	logs := make([]string, 0, len(pods))
	for i := range pods {
		pod := &pods[i]
		data, err := configDump(pod, true)
		if err != nil {
			logs = append(logs, fmt.Sprintf("failed to get config dump for pod %s/%s: %v", pod.Metadata.Namespace, pod.Metadata.Name, err))
			continue
		}

		if !cd.EnableSDS {
			data = trimSDS(data)
		}

		saveResult(output, cd.BundlePath, path.Join("config-dumps", pod.Metadata.Namespace, fmt.Sprintf("%s.json", pod.Metadata.Name)), data)
	}
	if len(logs) > 0 {
		saveResult(output, cd.BundlePath, path.Join("config-dumps", "errors.log"), []byte(strings.Join(logs, "\n")))
	}

	return output, nil
}

func listPods(ctx context.Context, client *kubeClient, namespace string, selector map[string]string) ([]Pod, error) {
	keys := make([]string, 0, len(selector))
	for k := range selector {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, k+"="+selector[k])
	}
	return client.ListPods(ctx, namespace, strings.Join(parts, ","))
}

func configDump(pod *Pod, includeEds bool) ([]byte, error) {
	reqPath := "/config_dump"
	if includeEds {
		reqPath = fmt.Sprintf("%s?include_eds", reqPath)
	}
	return requestAdmin(pod, 19000, reqPath)
}

// requestAdmin stands in for RequestWithPortForwarder (which also takes no context).
func requestAdmin(pod *Pod, port int, reqPath string) ([]byte, error) {
	c := &http.Client{Timeout: 10 * time.Second}
	resp, err := c.Get(fmt.Sprintf("http://%s:%d%s", pod.Status.PodIP, port, reqPath))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

func trimSDS(input []byte) []byte {
	var dump struct {
		Configs []json.RawMessage `json:"configs"`
	}
	if err := json.Unmarshal(input, &dump); err != nil {
		return input
	}
	cfgs := make([]json.RawMessage, 0, len(dump.Configs))
	for _, section := range dump.Configs {
		if bytes.Contains(section, []byte(SecretsConfigDumpTypeURL)) {
			continue
		}
		cfgs = append(cfgs, section)
	}
	dump.Configs = cfgs
	res, err := json.MarshalIndent(dump, "", "    ")
	if err != nil {
		return input
	}
	return res
}

func saveResult(out map[string][]byte, bundlePath, rel string, data []byte) {
	out[rel] = data
	if bundlePath == "" {
		return
	}
	p := filepath.Join(bundlePath, rel)
	_ = os.MkdirAll(filepath.Dir(p), 0o755)
	_ = os.WriteFile(p, data, 0o644)
}
