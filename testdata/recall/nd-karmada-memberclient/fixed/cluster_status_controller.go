// Recall case nd-karmada-memberclient
// Source: github.com/karmada-io/karmada commit dae08194ad32068472330e48feca45c36a11bc19 (pkg/util/membercluster_client.go)
// Link: https://github.com/karmada-io/karmada/commit/dae08194ad32068472330e48feca45c36a11bc19
// Bug: BuildClusterConfig builds the member-cluster rest.Config without Timeout, so the http.Client behind NewClusterClientSet has no timeout and ClusterStatusController.syncClusterStatus -> getClusterHealthStatus -> healthEndpointCheck(...).Do(context.TODO()) can hang forever on an unresponsive member apiserver.
// Fix: BuildClusterConfig sets rest.Config.Timeout = defaultTimeout (32s), bounding every request made by the member cluster clients.
// Rule: nodeadline
package util

import (
	"context"
	"log"
	"net/http"
)

// ClusterStatusController syncs the status of member clusters.
type ClusterStatusController struct {
	Store                *Store
	ClusterClientSetFunc NewClusterClientSetFunc
}

func (c *ClusterStatusController) syncClusterStatus(ctx context.Context, cluster *Cluster) error {
	// create a ClusterClient for the given member cluster
	clusterClient, err := c.ClusterClientSetFunc(cluster.Name, c.Store)
	if err != nil {
		log.Printf("Failed to create a ClusterClient for the given member cluster %s: %v", cluster.Name, err)
		return err
	}

	online, healthy := getClusterHealthStatus(clusterClient)
	cluster.Ready = online && healthy
	return ctx.Err()
}

// Reconcile is the controller entry point for one cluster.
func (c *ClusterStatusController) Reconcile(ctx context.Context, name string) error {
	cluster, err := c.Store.GetCluster(name)
	if err != nil {
		return err
	}
	return c.syncClusterStatus(ctx, cluster)
}

func getClusterHealthStatus(clusterClient *ClusterClient) (online, healthy bool) {
	healthStatus, err := healthEndpointCheck(clusterClient.KubeClient, "/readyz")
	if err != nil && healthStatus == http.StatusNotFound {
		// do health check with healthz endpoint if the readyz endpoint is not installed in member cluster
		healthStatus, err = healthEndpointCheck(clusterClient.KubeClient, "/healthz")
	}

	if err != nil {
		log.Printf("Failed to do cluster health check for cluster %s: %v", clusterClient.ClusterName, err)
		return false, false
	}

	if healthStatus != http.StatusOK {
		log.Printf("Member cluster %s isn't healthy", clusterClient.ClusterName)
		return true, false
	}

	return true, true
}

func healthEndpointCheck(client *Clientset, path string) (int, error) {
	var healthStatus int
	resp := client.Discovery().RESTClient().Get().AbsPath(path).Do(context.TODO()).StatusCode(&healthStatus)
	return healthStatus, resp.Error()
}
