// Recall case nd-cadvisor-loadcontainer
// Source: github.com/google/cadvisor commit 8d4c5073f3cd899ce72ada7fe3ec071697376c7a (container/containerd/factory.go)
// Link: https://github.com/google/cadvisor/commit/8d4c5073f3cd899ce72ada7fe3ec071697376c7a
// Bug: CanHandleAndAccept calls the containerd LoadContainer RPC with a bare context.Background(), so a hung containerd socket blocks container discovery forever.
// Fix: the LoadContainer call gets context.WithTimeout(context.Background(), connectionTimeout).
// Rule: nodeadline
package containerd

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"path"
	"regexp"
	"strings"
	"time"
)

const connectionTimeout = 2 * time.Second

// Regexp that identifies containerd cgroups, containers started with
// --cgroup-parent have another prefix than 'containerd'
var containerdCgroupRegexp = regexp.MustCompile(`([a-z0-9]{64})`)

// Container is a trimmed stand-in for containerd's container record.
type Container struct {
	ID string
}

// ContainerdClient is the subset of the containerd client used by the factory.
type ContainerdClient interface {
	LoadContainer(ctx context.Context, id string) (*Container, error)
}

// client talks to the containerd socket (stand-in: HTTP over a unix socket).
type client struct {
	http     *http.Client
	endpoint string
}

// Client returns a containerd client for the given unix socket.
func Client(address string) ContainerdClient {
	tr := &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", address)
		},
	}
	return &client{http: &http.Client{Transport: tr}, endpoint: "http://containerd"}
}

func (c *client) LoadContainer(ctx context.Context, id string) (*Container, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.endpoint+"/containers/"+id, nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("container %s: status %d", id, resp.StatusCode)
	}
	return &Container{ID: id}, nil
}

type containerdFactory struct {
	client  ContainerdClient
	version string
}

// Returns the containerd ID from the full container name.
func ContainerNameToContainerdID(name string) string {
	id := path.Base(name)
	if matches := containerdCgroupRegexp.FindStringSubmatch(id); matches != nil {
		return matches[1]
	}
	return id
}

// isContainerName returns true if the cgroup with associated name
// corresponds to a containerd container.
func isContainerName(name string) bool {
	if strings.HasSuffix(name, ".mount") {
		return false
	}
	return containerdCgroupRegexp.MatchString(path.Base(name))
}

// Containerd can handle and accept all containerd created containers
func (f *containerdFactory) CanHandleAndAccept(name string) (bool, bool, error) {
	// if the container is not associated with containerd, we can't handle it or accept it.
	if !isContainerName(name) {
		return false, false, nil
	}
	// Check if the container is known to containerd and it is running.
	id := ContainerNameToContainerdID(name)
	// If container and task lookup in containerd fails then we assume
	// that the container state is not known to containerd
	ctx := context.Background()
	_, err := f.client.LoadContainer(ctx, id)
	if err != nil {
		return false, false, fmt.Errorf("failed to load container: %v", err)
	}

	return true, true, nil
}
