// Recall case tl-incus-instancesget
// Source: github.com/lxc/incus commit 42d9d1524923d85451cf16759c9989162975fa37 (cmd/incusd/instances_get.go)
// Link: https://github.com/lxc/incus/commit/42d9d1524923d85451cf16759c9989162975fa37
// Bug: The goroutine that queries a cluster member sends on the unbuffered done channel, but the caller's select returns early on the 30s time.After timeout; nobody ever receives, so the goroutine blocks forever (one leak per timed-out member).
// Fix: Make done a buffered channel of capacity 1.
// Rule: timeoutleak
package incusd

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// Instance and InstanceFull are reduced stand-ins for incus' api types.
type Instance struct {
	Name    string `json:"name"`
	Project string `json:"project"`
	Status  string `json:"status"`
}

type InstanceFull struct {
	Instance
	State map[string]any `json:"state"`
}

// memberClient is a stand-in for the incus client returned by cluster.Connect.
type memberClient struct {
	http    *http.Client
	base    string
	project string
}

func connect(node string, r *http.Request) (*memberClient, error) {
	// The real transport (cluster.tlsTransport) bounds responses at 3600s.
	return &memberClient{http: &http.Client{Timeout: time.Hour}, base: "https://" + node}, nil
}

func (c *memberClient) UseProject(name string) *memberClient {
	cp := *c
	cp.project = name
	return &cp
}

func (c *memberClient) get(path string, allProjects bool, recursion int, out any) error {
	q := url.Values{}
	q.Set("recursion", fmt.Sprint(recursion))
	if allProjects {
		q.Set("all-projects", "true")
	} else if c.project != "" {
		q.Set("project", c.project)
	}
	resp, err := c.http.Get(c.base + path + "?" + q.Encode())
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return json.NewDecoder(resp.Body).Decode(out)
}

func (c *memberClient) GetInstances(all bool) ([]Instance, error) {
	var out []Instance
	return out, c.get("/1.0/instances", all, 1, &out)
}

func (c *memberClient) GetInstancesFull(all bool) ([]InstanceFull, error) {
	var out []InstanceFull
	return out, c.get("/1.0/instances", all, 2, &out)
}

func doInstancesGetFromNode(projects []string, node string, allProjects bool, r *http.Request) ([]Instance, error) {
	f := func() ([]Instance, error) {
		client, err := connect(node, r)
		if err != nil {
			return nil, fmt.Errorf("Failed to connect to member %s: %w", node, err)
		}

		var containers []Instance
		if allProjects {
			containers, err = client.GetInstances(true)
			if err != nil {
				return nil, fmt.Errorf("Failed to get instances from member %s: %w", node, err)
			}
		} else {
			for _, project := range projects {
				client = client.UseProject(project)

				tmpContainers, err := client.GetInstances(false)
				if err != nil {
					return nil, fmt.Errorf("Failed to get instances from member %s: %w", node, err)
				}

				containers = append(containers, tmpContainers...)
			}
		}

		return containers, nil
	}

	timeout := time.After(30 * time.Second)
	done := make(chan struct{}, 1)

	var containers []Instance
	var err error

	go func() {
		containers, err = f()
		done <- struct{}{}
	}()

	select {
	case <-timeout:
		err = fmt.Errorf("Timeout getting instances from member %s", node)
	case <-done:
	}

	return containers, err
}

func doInstancesFullGetFromNode(projects []string, node string, allProjects bool, r *http.Request) ([]InstanceFull, error) {
	f := func() ([]InstanceFull, error) {
		client, err := connect(node, r)
		if err != nil {
			return nil, fmt.Errorf("Failed to connect to member %s: %w", node, err)
		}

		var instances []InstanceFull
		if allProjects {
			instances, err = client.GetInstancesFull(true)
			if err != nil {
				return nil, fmt.Errorf("Failed to get instances from member %s: %w", node, err)
			}
		} else {
			for _, project := range projects {
				client = client.UseProject(project)

				tmpInstances, err := client.GetInstancesFull(false)
				if err != nil {
					return nil, fmt.Errorf("Failed to get instances from member %s: %w", node, err)
				}

				instances = append(instances, tmpInstances...)
			}
		}

		return instances, nil
	}

	timeout := time.After(30 * time.Second)
	done := make(chan struct{}, 1)

	var instances []InstanceFull
	var err error

	go func() {
		instances, err = f()
		done <- struct{}{}
	}()

	select {
	case <-timeout:
		err = fmt.Errorf("Timeout getting instances from member %s", node)
	case <-done:
	}

	return instances, err
}
