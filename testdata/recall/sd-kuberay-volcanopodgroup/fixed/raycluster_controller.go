// Recall case sd-kuberay-volcanopodgroup
// Source: github.com/ray-project/kuberay commit 7f70a73531f89612891cf6d1f3c132fdb0772e34 (ray-operator/controllers/ray/raycluster_controller.go)
// Link: https://github.com/ray-project/kuberay/commit/7f70a73531f89612891cf6d1f3c132fdb0772e34
// Bug: VolcanoBatchScheduler.DoBatchSchedulingOnSubmission has the reconcile ctx but calls syncPodGroup, which issues the PodGroup Get/Create/Update with context.TODO(), so the caller's cancellation/deadline is ignored.
// Fix: thread ctx into syncPodGroup and use it for the PodGroups Get/Create/Update calls.
// Rule: sharedeadline
package volcano

import "context"

type BatchScheduler interface {
	DoBatchSchedulingOnSubmission(ctx context.Context, app *RayCluster) error
}

type RayClusterReconciler struct {
	BatchScheduler BatchScheduler
}

func (r *RayClusterReconciler) reconcilePods(ctx context.Context, instance *RayCluster) error {
	// check if the batch scheduler integration is enabled
	// call the scheduler plugin if so
	if r.BatchScheduler != nil {
		if err := r.BatchScheduler.DoBatchSchedulingOnSubmission(ctx, instance); err != nil {
			return err
		}
	}
	return nil
}
