// Recall case cc-receptor-kubecancel
// Source: github.com/ansible/receptor commit 7151056c2df92b53bc0f985542d35575107195fa (pkg/workceptor/kubernetes.go)
// Link: https://github.com/ansible/receptor/commit/7151056c2df92b53bc0f985542d35575107195fa
// Bug: KubeUnit.Cancel first calls kw.CancelContext() and then deletes the pod with KubeAPIWrapperInstance.Delete(kw.GetContext(), ...), i.e. with the work unit context it has just cancelled, so the API request fails immediately and the pod is never deleted.
// Fix: the pod deletion in Cancel uses a fresh context.Background() instead of the cancelled unit context.
// Rule: cleanupctx
package workceptor

import (
	"context"
	"log"
)

// KubeUnit implements the WorkUnit interface.
type KubeUnit struct {
	BaseWorkUnit
	clientset *Clientset
	pod       *Pod
}

// Cancel releases resources associated with a job, including cancelling it if running.
func (kw *KubeUnit) Cancel() error {
	kw.CancelContext()
	kw.UpdateBasicStatus(WorkStateCanceled, "Canceled", -1)
	if kw.pod != nil {
		err := KubeAPIWrapperInstance.Delete(context.Background(), kw.clientset, kw.pod.Namespace, kw.pod.Name, DeleteOptions{})
		if err != nil {
			log.Printf("Error deleting pod %s: %s", kw.pod.Name, err)
		}
	}
	if kw.GetCancel() != nil {
		kw.CancelContext()
	}

	return nil
}
