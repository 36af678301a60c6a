// Recall case nd-tiup-updatetopology
// Source: github.com/pingcap/tiup commit ffed4ffd2acb62debe2c939e2335a720756937ae (pkg/cluster/task/update_topology.go)
// Link: https://github.com/pingcap/tiup/commit/ffed4ffd2acb62debe2c939e2335a720756937ae
// Bug: UpdateTopology.Execute runs an etcd (PD) transaction with the task ctx, which the manager creates from context.Background(); the etcd client waits forever, so if all PD nodes are down the command hangs forever.
// Fix: Execute wraps ctx in context.WithTimeout(ctx, 10*time.Second) before calling client.Txn(ctx).
// Rule: nodeadline
package task

import (
	"context"
	"encoding/json"
	"fmt"
)

// UpdateTopology is used to maintain the cluster meta information
type UpdateTopology struct {
	cluster        string
	profileDir     string
	metadata       *ClusterMeta
	deletedNodeIDs []string
}

// String implements the fmt.Stringer interface
func (u *UpdateTopology) String() string {
	return fmt.Sprintf("UpdateTopology: cluster=%s", u.cluster)
}

// Execute implements the Task interface
func (u *UpdateTopology) Execute(ctx context.Context) error {
	client, err := u.metadata.Topology.GetEtcdClient()
	if err != nil {
		return err
	}
	txn := client.Txn(ctx)

	topo := u.metadata.Topology

	deleted := map[string]bool{}
	for _, id := range u.deletedNodeIDs {
		deleted[id] = true
	}

	var ops []Op
	for _, ins := range topo.Monitors {
		if deleted[ins.ID()] {
			ops = append(ops, OpDelete("/topology/prometheus"))
			continue
		}
		data, err := json.Marshal(ins)
		if err != nil {
			return err
		}
		ops = append(ops, OpPut("/topology/prometheus", string(data)))
	}

	_, err = txn.Then(ops...).Commit()
	return err
}

// Rollback implements the Task interface
func (u *UpdateTopology) Rollback(ctx context.Context) error {
	return nil
}
