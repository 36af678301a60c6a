// Recall case nd-werf-deployedimages
// Source: github.com/werf/werf commit 76efdce29d024033f019e2904389e13b0aa02f34 (pkg/cleaning/allow_list/kubernetes.go)
// Link: https://github.com/werf/werf/commit/76efdce29d024033f019e2904389e13b0aa02f34
// Bug: DeployedDockerImages receives a ctx but its helpers getPodsImages/getReplicationControllersImages/getDeploymentsImages list Kubernetes resources with context.Background(), so the API calls cannot be cancelled and have no deadline.
// Fix: Pass the caller's ctx down to every helper and use it for the List calls.
// Rule: nodeadline
package allowlist

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
)

// Minimal stand-in for k8s.io/client-go/kubernetes.Interface: every List is
// a real HTTP GET against the API server, bound to the ctx it is given.

type ListOptions struct{}

type Container struct {
	Name  string `json:"name"`
	Image string `json:"image"`
}

type PodSpec struct {
	Containers     []Container `json:"containers"`
	InitContainers []Container `json:"initContainers"`
}

type PodTemplateSpec struct {
	Spec PodSpec `json:"spec"`
}

type WorkloadSpec struct {
	Template PodTemplateSpec `json:"template"`
}

type Pod struct {
	Name      string  `json:"name"`
	Namespace string  `json:"namespace"`
	Spec      PodSpec `json:"spec"`
}

type Workload struct {
	Name      string       `json:"name"`
	Namespace string       `json:"namespace"`
	Spec      WorkloadSpec `json:"spec"`
}

type PodList struct{ Items []Pod }
type WorkloadList struct{ Items []Workload }

type Interface interface {
	CoreV1() CoreV1Interface
	AppsV1() AppsV1Interface
}

type CoreV1Interface interface {
	Pods(namespace string) PodInterface
	ReplicationControllers(namespace string) WorkloadInterface
}

type AppsV1Interface interface {
	Deployments(namespace string) WorkloadInterface
}

type PodInterface interface {
	List(ctx context.Context, opts ListOptions) (*PodList, error)
}

type WorkloadInterface interface {
	List(ctx context.Context, opts ListOptions) (*WorkloadList, error)
}

type Clientset struct {
	Host   string
	Client *http.Client
}

func (c *Clientset) CoreV1() CoreV1Interface { return coreV1{c} }
func (c *Clientset) AppsV1() AppsV1Interface { return appsV1{c} }

type coreV1 struct{ c *Clientset }
type appsV1 struct{ c *Clientset }

func (v coreV1) Pods(ns string) PodInterface {
	return podClient{v.c, "/api/v1/namespaces/" + ns + "/pods"}
}

func (v coreV1) ReplicationControllers(ns string) WorkloadInterface {
	return workloadClient{v.c, "/api/v1/namespaces/" + ns + "/replicationcontrollers"}
}

func (v appsV1) Deployments(ns string) WorkloadInterface {
	return workloadClient{v.c, "/apis/apps/v1/namespaces/" + ns + "/deployments"}
}

type podClient struct {
	c    *Clientset
	path string
}

type workloadClient struct {
	c    *Clientset
	path string
}

func (c *Clientset) get(ctx context.Context, path string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.Host+path, nil)
	if err != nil {
		return err
	}
	resp, err := c.Client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("unexpected status %s", resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

func (p podClient) List(ctx context.Context, _ ListOptions) (*PodList, error) {
	var l PodList
	return &l, p.c.get(ctx, p.path, &l)
}

func (w workloadClient) List(ctx context.Context, _ ListOptions) (*WorkloadList, error) {
	var l WorkloadList
	return &l, w.c.get(ctx, w.path, &l)
}
