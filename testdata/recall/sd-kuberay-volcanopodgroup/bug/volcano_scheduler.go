// Recall case sd-kuberay-volcanopodgroup
// Source: github.com/ray-project/kuberay commit 7f70a73531f89612891cf6d1f3c132fdb0772e34 (ray-operator/controllers/ray/batchscheduler/volcano/volcano_scheduler.go)
// Link: https://github.com/ray-project/kuberay/commit/7f70a73531f89612891cf6d1f3c132fdb0772e34
// Bug: VolcanoBatchScheduler.DoBatchSchedulingOnSubmission has the reconcile ctx but calls syncPodGroup, which issues the PodGroup Get/Create/Update with context.TODO(), so the caller's cancellation/deadline is ignored.
// Fix: thread ctx into syncPodGroup and use it for the PodGroups Get/Create/Update calls.
// Rule: sharedeadline
package volcano

import (
	"context"
	"fmt"
	"log"
)

const QueueNameLabelKey = "volcano.sh/queue-name"

// RayCluster is the subset of rayv1.RayCluster used here.
type RayCluster struct {
	Name          string
	Namespace     string
	Labels        map[string]string
	MinReplicas   int32
	MinResources  map[string]int64
	AutoscalingOn bool
	Replicas      int32
	Resources     map[string]int64
}

type VolcanoBatchScheduler struct {
	volcanoClient *VolcanoClientset
	log           *log.Logger
}

func NewVolcanoBatchScheduler(config *RestConfig, logger *log.Logger) (*VolcanoBatchScheduler, error) {
	vkClient, err := NewForConfig(config)
	if err != nil {
		return nil, fmt.Errorf("failed to initialize volcano client with error %w", err)
	}
	return &VolcanoBatchScheduler{volcanoClient: vkClient, log: logger}, nil
}

func (v *VolcanoBatchScheduler) DoBatchSchedulingOnSubmission(ctx context.Context, app *RayCluster) error {
	var minMember int32
	var totalResource map[string]int64
	if !app.AutoscalingOn {
		minMember = app.Replicas + 1
		totalResource = app.Resources
	} else {
		minMember = app.MinReplicas + 1
		totalResource = app.MinResources
	}

	return v.syncPodGroup(app, minMember, totalResource)
}

func getAppPodGroupName(app *RayCluster) string {
	return fmt.Sprintf("ray-%s-pg", app.Name)
}

func resourcesEqual(a, b map[string]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if bv, ok := b[k]; !ok || bv != v {
			return false
		}
	}
	return true
}

func (v *VolcanoBatchScheduler) syncPodGroup(app *RayCluster, size int32, totalResource map[string]int64) error {
	podGroupName := getAppPodGroupName(app)
	if pg, err := v.volcanoClient.PodGroups(app.Namespace).Get(context.TODO(), podGroupName); err != nil {
		if !IsNotFound(err) {
			return err
		}

		podGroup := createPodGroup(app, podGroupName, size, totalResource)
		if _, err := v.volcanoClient.PodGroups(app.Namespace).Create(
			context.TODO(), &podGroup,
		); err != nil {
			if IsAlreadyExists(err) {
				v.log.Print("pod group already exists, no need to create")
				return nil
			}

			v.log.Printf("Pod group CREATE error! %v", err)
			return err
		}
	} else {
		if pg.Spec.MinMember != size || !resourcesEqual(pg.Spec.MinResources, totalResource) {
			pg.Spec.MinMember = size
			pg.Spec.MinResources = totalResource
			if _, err := v.volcanoClient.PodGroups(app.Namespace).Update(
				context.TODO(), pg,
			); err != nil {
				v.log.Printf("Pod group UPDATE error! podGroup=%s: %v", podGroupName, err)
				return err
			}
		}
	}
	return nil
}

func createPodGroup(app *RayCluster, podGroupName string, size int32, totalResource map[string]int64) PodGroup {
	podGroup := PodGroup{
		Namespace: app.Namespace,
		Name:      podGroupName,
		Spec: PodGroupSpec{
			MinMember:    size,
			MinResources: totalResource,
		},
	}
	if queue, ok := app.Labels[QueueNameLabelKey]; ok {
		podGroup.Spec.Queue = queue
	}
	return podGroup
}
