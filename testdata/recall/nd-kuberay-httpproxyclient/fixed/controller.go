// Recall case nd-kuberay-httpproxyclient
// Source: github.com/ray-project/kuberay commit 65364a109cef551697e66cc2b333cbb3cd5be2a1 (ray-operator/controllers/ray/rayservice_controller.go)
// Link: https://github.com/ray-project/kuberay/commit/65364a109cef551697e66cc2b333cbb3cd5be2a1
// Bug: in Kubernetes-proxy mode GetRayHttpProxyClientFunc hands RayHttpProxyClient the manager's http.Client (no Timeout), and CheckProxyActorHealth is called with the reconcile ctx (no deadline), so a stuck apiserver proxy hangs RayServiceReconciler.Reconcile forever.
// Fix: always build an http.Client with Timeout (2s direct / 10s proxied), reusing only the manager's Transport in proxy mode.
// Rule: nodeadline
package rayutils

import (
	"context"
	"fmt"
	"strconv"
)

const (
	RayClusterServingServiceLabelKey    = "ray.io/serve"
	EnableRayClusterServingServiceFalse = "false"
	DefaultServingPort                  = 8000
)

// Pod is the subset of corev1.Pod used by updateHeadPodServeLabel.
type Pod struct {
	Name      string
	Namespace string
	PodIP     string
	Labels    map[string]string
}

type RayServiceReconciler struct {
	httpProxyClientFunc func(hostIp, podNamespace, podName string, port int) RayHttpProxyClientInterface
	headPods            map[string]*Pod
}

func NewRayServiceReconciler(mgr Manager, useKubernetesProxy bool) *RayServiceReconciler {
	return &RayServiceReconciler{
		httpProxyClientFunc: GetRayHttpProxyClientFunc(mgr, useKubernetesProxy),
		headPods:            map[string]*Pod{},
	}
}

// Reconcile is the controller-runtime entry point; ctx carries no deadline.
func (r *RayServiceReconciler) Reconcile(ctx context.Context, clusterName string, excludeHeadPodFromServeSvc bool) error {
	headPod := r.headPods[clusterName]
	if err := r.updateHeadPodServeLabel(ctx, headPod, excludeHeadPodFromServeSvc); err != nil {
		return err
	}
	return nil
}

func (r *RayServiceReconciler) updateHeadPodServeLabel(ctx context.Context, headPod *Pod, excludeHeadPodFromServeSvc bool) error {
	if headPod == nil {
		return fmt.Errorf("found 0 head")
	}

	client := r.httpProxyClientFunc(headPod.PodIP, headPod.Namespace, headPod.Name, DefaultServingPort)
	if headPod.Labels == nil {
		headPod.Labels = make(map[string]string)
	}
	oldLabel := headPod.Labels[RayClusterServingServiceLabelKey]
	newLabel := EnableRayClusterServingServiceFalse

	if !excludeHeadPodFromServeSvc {
		isHealthy := client.CheckProxyActorHealth(ctx) == nil
		newLabel = strconv.FormatBool(isHealthy)
	}

	if oldLabel != newLabel {
		headPod.Labels[RayClusterServingServiceLabelKey] = newLabel
	}

	return nil
}
