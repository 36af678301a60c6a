// Recall case nd-kubevirt-deletionadmitter
// Source: github.com/kubevirt/kubevirt commit 3492d536856b735d5f6ae88a7c42fcf651eaea8d (pkg/virt-operator/webhooks/webhook.go)
// Link: https://github.com/kubevirt/kubevirt/commit/3492d536856b735d5f6ae88a7c42fcf651eaea8d
// Bug: Admit ignores the (deadline-carrying) context it is given and issues every API-server Get/List with context.Background(), so the webhook timeout never applies to these remote calls.
// Fix: name the ctx parameter and pass it to all client Get/List calls.
// Rule: nodeadline
package webhooks

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
)

const uninstallErrorMsg = "Rejecting the uninstall request, since there are still %s present. Either delete all KubeVirt related workloads or change the uninstall strategy before uninstalling KubeVirt."

// --- minimal stand-ins for the k8s / kubevirt API types ---

type AdmissionRequest struct {
	Name      string
	Namespace string
}

type AdmissionReview struct {
	Request *AdmissionRequest
}

type AdmissionResponse struct {
	Allowed bool
	Message string
}

func NewPassingAdmissionResponse() *AdmissionResponse {
	return &AdmissionResponse{Allowed: true}
}

func ToAdmissionResponseError(err error) *AdmissionResponse {
	return &AdmissionResponse{Allowed: false, Message: err.Error()}
}

type GetOptions struct{}

type ListOptions struct {
	Limit int64
}

const NamespaceAll = ""

const (
	KubeVirtUninstallStrategyRemoveWorkloads = "RemoveWorkloads"
	KubeVirtPhaseDeployed                    = "Deployed"
)

type KubeVirt struct {
	Spec struct {
		UninstallStrategy string
	}
	Status struct {
		Phase string
	}
}

type KubeVirtList struct {
	Items []KubeVirt
}

type ObjectList struct {
	Items []json.RawMessage
}

// --- client stand-in: every call is a real HTTP request to the API server ---

type KubevirtClient interface {
	KubeVirt(namespace string) KubeVirtInterface
	VirtualMachineInstance(namespace string) ListInterface
	VirtualMachine(namespace string) ListInterface
	ReplicaSet(namespace string) ListInterface
}

type KubeVirtInterface interface {
	Get(ctx context.Context, name string, opts GetOptions) (*KubeVirt, error)
	List(ctx context.Context, opts ListOptions) (*KubeVirtList, error)
}

type ListInterface interface {
	List(ctx context.Context, opts ListOptions) (*ObjectList, error)
}

type restClient struct {
	base string
	hc   *http.Client
}

type resource struct {
	c    *restClient
	path string
	kind string
}

func (c *restClient) res(namespace, name string) *resource {
	p := "/apis/kubevirt.io/v1"
	if namespace != "" {
		p += "/namespaces/" + url.PathEscape(namespace)
	}
	return &resource{c: c, path: p, kind: name}
}

func (c *restClient) KubeVirt(namespace string) KubeVirtInterface {
	return kubeVirtResource{c.res(namespace, "kubevirts")}
}
func (c *restClient) VirtualMachineInstance(namespace string) ListInterface {
	return c.res(namespace, "virtualmachineinstances")
}
func (c *restClient) VirtualMachine(namespace string) ListInterface {
	return c.res(namespace, "virtualmachines")
}
func (c *restClient) ReplicaSet(namespace string) ListInterface {
	return c.res(namespace, "virtualmachineinstancereplicasets")
}

func (r *resource) do(ctx context.Context, u string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.c.base+u, nil)
	if err != nil {
		return err
	}
	resp, err := r.c.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("unexpected status %s", resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

func (r kubeVirtResource) Get(ctx context.Context, name string, _ GetOptions) (*KubeVirt, error) {
	kv := &KubeVirt{}
	return kv, r.do(ctx, r.path+"/"+r.kind+"/"+url.PathEscape(name), kv)
}

func (r *resource) List(ctx context.Context, opts ListOptions) (*ObjectList, error) {
	l := &ObjectList{}
	return l, r.do(ctx, r.path+"/"+r.kind+"?limit="+strconv.FormatInt(opts.Limit, 10), l)
}

type kubeVirtResource struct{ *resource }

func (r kubeVirtResource) List(ctx context.Context, opts ListOptions) (*KubeVirtList, error) {
	l := &KubeVirtList{}
	return l, r.do(ctx, r.path+"/"+r.kind+"?limit="+strconv.FormatInt(opts.Limit, 10), l)
}

// --- the admitter (reduced from pkg/virt-operator/webhooks/webhook.go) ---

func NewKubeVirtDeletionAdmitter(client KubevirtClient) *KubeVirtDeletionAdmitter {
	return &KubeVirtDeletionAdmitter{
		client: client,
	}
}

type KubeVirtDeletionAdmitter struct {
	client KubevirtClient
}

func (k *KubeVirtDeletionAdmitter) Admit(_ context.Context, review *AdmissionReview) *AdmissionResponse {
	var kv *KubeVirt
	var err error
	if review.Request.Name != "" {
		kv, err = k.client.KubeVirt(review.Request.Namespace).Get(context.Background(), review.Request.Name, GetOptions{})
		if err != nil {
			return ToAdmissionResponseError(err)
		}
	} else {
		list, err := k.client.KubeVirt(review.Request.Namespace).List(context.Background(), ListOptions{})
		if err != nil {
			return ToAdmissionResponseError(err)
		}
		if len(list.Items) == 0 {
			return NewPassingAdmissionResponse()
		} else {
			kv = &list.Items[0]
		}
	}

	if kv.Spec.UninstallStrategy == "" || kv.Spec.UninstallStrategy == KubeVirtUninstallStrategyRemoveWorkloads {
		return NewPassingAdmissionResponse()
	}

	if kv.Status.Phase != KubeVirtPhaseDeployed {
		return NewPassingAdmissionResponse()
	}

	vmis, err := k.client.VirtualMachineInstance(NamespaceAll).List(context.Background(), ListOptions{Limit: 2})

	if err != nil {
		return ToAdmissionResponseError(err)
	}

	if len(vmis.Items) > 0 {
		return ToAdmissionResponseError(fmt.Errorf(uninstallErrorMsg, "Virtual Machine Instances"))
	}

	vms, err := k.client.VirtualMachine(NamespaceAll).List(context.Background(), ListOptions{Limit: 2})

	if err != nil {
		return ToAdmissionResponseError(err)
	}

	if len(vms.Items) > 0 {
		return ToAdmissionResponseError(fmt.Errorf(uninstallErrorMsg, "Virtual Machines"))
	}

	vmirs, err := k.client.ReplicaSet(NamespaceAll).List(context.Background(), ListOptions{Limit: 2})

	if err != nil {
		return ToAdmissionResponseError(err)
	}

	if len(vmirs.Items) > 0 {
		return ToAdmissionResponseError(fmt.Errorf(uninstallErrorMsg, "Virtual Machine Instance Replica Sets"))
	}

	return NewPassingAdmissionResponse()
}
