// Recall case nd-karmada-memberclient
// Source: github.com/karmada-io/karmada commit dae08194ad32068472330e48feca45c36a11bc19 (pkg/util/membercluster_client.go)
// Link: https://github.com/karmada-io/karmada/commit/dae08194ad32068472330e48feca45c36a11bc19
// Bug: BuildClusterConfig builds the member-cluster rest.Config without Timeout, so the http.Client behind NewClusterClientSet has no timeout and ClusterStatusController.syncClusterStatus -> getClusterHealthStatus -> healthEndpointCheck(...).Do(context.TODO()) can hang forever on an unresponsive member apiserver.
// Fix: BuildClusterConfig sets rest.Config.Timeout = defaultTimeout (32s), bounding every request made by the member cluster clients.
// Rule: nodeadline
package util

import (
	"fmt"
	"time"
)

const (
	defaultTimeout = 32 * time.Second
)

// ClusterClient stands for a cluster Clientset for the given member cluster
type ClusterClient struct {
	KubeClient  *Clientset
	ClusterName string
}

// Cluster is the reduced karmada Cluster object (only the fields used here).
type Cluster struct {
	Name                        string
	APIEndpoint                 string
	SecretNamespace, SecretName string
	Ready                       bool
}

// Secret is the reduced corev1.Secret.
type Secret struct {
	Data map[string][]byte
}

// SecretTokenKey is the secret key holding the bearer token.
const SecretTokenKey = "token"

// NewClusterClientSetFunc is a function that returns a ClusterClient for the given member cluster.
type NewClusterClientSetFunc = func(clusterName string, store *Store) (*ClusterClient, error)

// NewClusterClientSet returns a ClusterClient for the given member cluster.
func NewClusterClientSet(clusterName string, store *Store) (*ClusterClient, error) {
	clusterConfig, err := BuildClusterConfig(clusterName, store.GetCluster, store.GetSecret)
	if err != nil {
		return nil, err
	}

	var clusterClientSet = ClusterClient{ClusterName: clusterName}

	if clusterConfig != nil {
		clusterClientSet.KubeClient = NewForConfigOrDie(clusterConfig)
	}
	return &clusterClientSet, nil
}

// BuildClusterConfig return rest config for member cluster.
func BuildClusterConfig(clusterName string,
	clusterGetter func(string) (*Cluster, error),
	secretGetter func(string, string) (*Secret, error)) (*Config, error) {
	cluster, err := clusterGetter(clusterName)
	if err != nil {
		return nil, err
	}

	apiEndpoint := cluster.APIEndpoint
	if apiEndpoint == "" {
		return nil, fmt.Errorf("the api endpoint of cluster %s is empty", clusterName)
	}

	secret, err := secretGetter(cluster.SecretNamespace, cluster.SecretName)
	if err != nil {
		return nil, err
	}

	token, ok := secret.Data[SecretTokenKey]
	if !ok || len(token) == 0 {
		return nil, fmt.Errorf("the secret for cluster %s is missing a non-empty value for %q", clusterName, SecretTokenKey)
	}

	// Initialize cluster configuration.
	clusterConfig := &Config{
		BearerToken: string(token),
		Host:        apiEndpoint,
		Timeout:     defaultTimeout,
	}

	return clusterConfig, nil
}
