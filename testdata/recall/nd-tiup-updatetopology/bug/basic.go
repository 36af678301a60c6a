// Recall case nd-tiup-updatetopology
// Source: github.com/pingcap/tiup commit ffed4ffd2acb62debe2c939e2335a720756937ae (pkg/cluster/manager/basic.go)
// Link: https://github.com/pingcap/tiup/commit/ffed4ffd2acb62debe2c939e2335a720756937ae
// Bug: UpdateTopology.Execute runs an etcd (PD) transaction with the task ctx, which the manager creates from context.Background(); the etcd client waits forever, so if all PD nodes are down the command hangs forever.
// Fix: Execute wraps ctx in context.WithTimeout(ctx, 10*time.Second) before calling client.Txn(ctx).
// Rule: nodeadline
package task

import "context"

// Task represents an operation while TiUP execution.
type Task interface {
	Execute(ctx context.Context) error
	Rollback(ctx context.Context) error
}

// Serial executes tasks one by one.
type Serial struct {
	inner []Task
}

// Execute implements the Task interface.
func (s *Serial) Execute(ctx context.Context) error {
	for _, t := range s.inner {
		if err := t.Execute(ctx); err != nil {
			return err
		}
	}
	return nil
}

// Rollback implements the Task interface.
func (s *Serial) Rollback(ctx context.Context) error { return nil }

// StartCluster starts the cluster and then refreshes the topology stored in PD,
// as cm.StartCluster + b.UpdateTopology(...) do in components/cluster/command/start.go.
func StartCluster(name string, metadata *ClusterMeta) error {
	t := &Serial{inner: []Task{
		&UpdateTopology{
			cluster:    name,
			profileDir: "/root/.tiup/storage/cluster/clusters/" + name,
			metadata:   metadata,
		},
	}}
	if err := t.Execute(context.Background()); err != nil {
		return err
	}
	return nil
}
