// Recall case sd-kuberay-volcanopodgroup
// Source: github.com/ray-project/kuberay commit 7f70a73531f89612891cf6d1f3c132fdb0772e34 (ray-operator/controllers/ray/batchscheduler/volcano/volcano_scheduler.go)
// Link: https://github.com/ray-project/kuberay/commit/7f70a73531f89612891cf6d1f3c132fdb0772e34
// Bug: VolcanoBatchScheduler.DoBatchSchedulingOnSubmission has the reconcile ctx but calls syncPodGroup, which issues the PodGroup Get/Create/Update with context.TODO(), so the caller's cancellation/deadline is ignored.
// Fix: thread ctx into syncPodGroup and use it for the PodGroups Get/Create/Update calls.
// Rule: sharedeadline
package volcano

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// ---- stub of the generated volcano clientset (client-go REST client) ----

var errNotFound = errors.New("not found")
var errAlreadyExists = errors.New("already exists")

func IsNotFound(err error) bool      { return errors.Is(err, errNotFound) }
func IsAlreadyExists(err error) bool { return errors.Is(err, errAlreadyExists) }

// RestConfig mirrors the rest.Config fields the clientset uses.
type RestConfig struct {
	Host    string
	Timeout time.Duration // zero by default, as in client-go
}

type PodGroupSpec struct {
	MinMember         int32            `json:"minMember"`
	MinResources      map[string]int64 `json:"minResources"`
	Queue             string           `json:"queue,omitempty"`
	PriorityClassName string           `json:"priorityClassName,omitempty"`
}

type PodGroup struct {
	Namespace string       `json:"namespace"`
	Name      string       `json:"name"`
	Spec      PodGroupSpec `json:"spec"`
}

type VolcanoClientset struct {
	client *http.Client
	host   string
}

// NewForConfig mirrors versioned.NewForConfig: the http.Client Timeout is config.Timeout.
func NewForConfig(config *RestConfig) (*VolcanoClientset, error) {
	return &VolcanoClientset{
		client: &http.Client{Transport: http.DefaultTransport, Timeout: config.Timeout},
		host:   config.Host,
	}, nil
}

type PodGroupInterface struct {
	cs        *VolcanoClientset
	namespace string
}

func (c *VolcanoClientset) PodGroups(namespace string) *PodGroupInterface {
	return &PodGroupInterface{cs: c, namespace: namespace}
}

func (p *PodGroupInterface) do(ctx context.Context, method, name string, in *PodGroup) (*PodGroup, error) {
	url := fmt.Sprintf("%s/apis/scheduling.volcano.sh/v1beta1/namespaces/%s/podgroups", p.cs.host, p.namespace)
	if name != "" {
		url += "/" + name
	}
	var body bytes.Buffer
	if in != nil {
		if err := json.NewEncoder(&body).Encode(in); err != nil {
			return nil, err
		}
	}
	req, err := http.NewRequestWithContext(ctx, method, url, &body)
	if err != nil {
		return nil, err
	}
	resp, err := p.cs.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusNotFound:
		return nil, errNotFound
	case http.StatusConflict:
		return nil, errAlreadyExists
	}
	if resp.StatusCode >= 300 {
		return nil, fmt.Errorf("podgroups %s: status %d", method, resp.StatusCode)
	}
	out := &PodGroup{}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return nil, err
	}
	return out, nil
}

func (p *PodGroupInterface) Get(ctx context.Context, name string) (*PodGroup, error) {
	return p.do(ctx, http.MethodGet, name, nil)
}

func (p *PodGroupInterface) Create(ctx context.Context, pg *PodGroup) (*PodGroup, error) {
	return p.do(ctx, http.MethodPost, "", pg)
}

func (p *PodGroupInterface) Update(ctx context.Context, pg *PodGroup) (*PodGroup, error) {
	return p.do(ctx, http.MethodPut, pg.Name, pg)
}
