// Recall case cc-cri-teardownpodnetwork
// Source: github.com/containerd/cri commit f3ae4a5c110d1e5dddb217ac25a44c8574b8fdd0 (pkg/containerd/util/util.go)
// Link: https://github.com/containerd/cri/commit/f3ae4a5c110d1e5dddb217ac25a44c8574b8fdd0
// Bug: RunPodSandbox tears the pod network down in a deferred rollback using the request ctx; when the sandbox creation failed because that ctx was cancelled or timed out, teardownPodNetwork runs the CNI DEL with an already-cancelled ctx and the network is leaked.
// Fix: the deferred teardown uses ctrdutil.DeferContext(), a fresh namespaced context with its own 1-minute cleanup timeout.
// Rule: cleanupctx
package server

// Stand-ins for pkg/containerd/util (DeferContext), the CNI plugin and the
// containerd client used by RunPodSandbox.

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"sync"
	"time"
)

type namespaceKey struct{}

// deferCleanupTimeout is the default timeout for containerd cleanup operations
// in defer.
const deferCleanupTimeout = 1 * time.Minute

// DeferContext returns a context for containerd cleanup operations in defer.
// A default timeout is applied to avoid cleanup operation pending forever.
func DeferContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(NamespacedContext(), deferCleanupTimeout)
}

// NamespacedContext returns a context with kubernetes namespace set.
func NamespacedContext() context.Context {
	return WithNamespace(context.Background())
}

// WithNamespace adds kubernetes namespace to the context.
func WithNamespace(ctx context.Context) context.Context {
	return context.WithValue(ctx, namespaceKey{}, "k8s.io")
}

// cniPlugin execs a CNI plugin binary (ADD / DEL) like go-cni does.
type cniPlugin struct {
	binary string
}

func (p *cniPlugin) run(ctx context.Context, command, id, netnsPath string) error {
	cmd := exec.CommandContext(ctx, p.binary)
	cmd.Env = append(os.Environ(),
		"CNI_COMMAND="+command,
		"CNI_CONTAINERID="+id,
		"CNI_NETNS="+netnsPath,
		"CNI_IFNAME=eth0",
	)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("cni %s failed: %v: %s", command, err, out)
	}
	return nil
}

func (p *cniPlugin) Setup(ctx context.Context, id, netnsPath string) error {
	return p.run(ctx, "ADD", id, netnsPath)
}

func (p *cniPlugin) Remove(ctx context.Context, id, netnsPath string) error {
	return p.run(ctx, "DEL", id, netnsPath)
}

// NetNS stands in for pkg/netns.NetNS.
type NetNS struct{ path string }

func NewNetNS() (*NetNS, error) {
	f, err := os.CreateTemp("", "cni-")
	if err != nil {
		return nil, err
	}
	f.Close()
	return &NetNS{path: f.Name()}, nil
}

func (n *NetNS) GetPath() string { return n.path }
func (n *NetNS) Remove() error   { return os.Remove(n.path) }

// containerdClient stands in for the containerd client (container create/delete over its API).
type containerdClient struct {
	http    *http.Client
	address string
}

func (c *containerdClient) do(ctx context.Context, method, id string) error {
	req, err := http.NewRequestWithContext(ctx, method, c.address+"/containers/"+id, bytes.NewReader(nil))
	if err != nil {
		return err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("containerd: %s %s: %s", method, id, resp.Status)
	}
	return nil
}

func (c *containerdClient) NewContainer(ctx context.Context, id string) error {
	return c.do(ctx, http.MethodPost, id)
}

func (c *containerdClient) DeleteContainer(ctx context.Context, id string) error {
	return c.do(ctx, http.MethodDelete, id)
}

// nameIndex stands in for registrar.Registrar.
type nameIndex struct {
	mu    sync.Mutex
	names map[string]string
}

func (r *nameIndex) Reserve(name, id string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.names == nil {
		r.names = map[string]string{}
	}
	if _, ok := r.names[name]; ok {
		return fmt.Errorf("name %q is reserved", name)
	}
	r.names[name] = id
	return nil
}

func (r *nameIndex) ReleaseByName(name string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.names, name)
}
