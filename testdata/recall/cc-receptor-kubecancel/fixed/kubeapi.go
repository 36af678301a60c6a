// Recall case cc-receptor-kubecancel
// Source: github.com/ansible/receptor commit 7151056c2df92b53bc0f985542d35575107195fa (pkg/workceptor/kubernetes.go)
// Link: https://github.com/ansible/receptor/commit/7151056c2df92b53bc0f985542d35575107195fa
// Bug: KubeUnit.Cancel first calls kw.CancelContext() and then deletes the pod with KubeAPIWrapperInstance.Delete(kw.GetContext(), ...), i.e. with the work unit context it has just cancelled, so the API request fails immediately and the pod is never deleted.
// Fix: the pod deletion in Cancel uses a fresh context.Background() instead of the cancelled unit context.
// Rule: cleanupctx
package workceptor

import (
	"context"
	"fmt"
	"net/http"
)

// Clientset is a stand-in for *kubernetes.Clientset: it talks to the
// Kubernetes API server over HTTP.
type Clientset struct {
	Host string
	HTTP *http.Client
}

// DeleteOptions is a stand-in for metav1.DeleteOptions.
type DeleteOptions struct{}

// Pod is a stand-in for *corev1.Pod.
type Pod struct {
	Name      string
	Namespace string
}

type KubeAPIer interface {
	Delete(context.Context, *Clientset, string, string, DeleteOptions) error
}

type KubeAPIWrapper struct{}

func (ku KubeAPIWrapper) Delete(ctx context.Context, clientset *Clientset, namespace string, name string, opts DeleteOptions) error {
	url := fmt.Sprintf("%s/api/v1/namespaces/%s/pods/%s", clientset.Host, namespace, name)
	req, err := http.NewRequestWithContext(ctx, http.MethodDelete, url, nil)
	if err != nil {
		return err
	}
	resp, err := clientset.HTTP.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		return fmt.Errorf("delete pod %s/%s: %s", namespace, name, resp.Status)
	}
	return nil
}

var KubeAPIWrapperInstance KubeAPIer = KubeAPIWrapper{}
