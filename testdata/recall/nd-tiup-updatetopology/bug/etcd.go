// Recall case nd-tiup-updatetopology
// Source: github.com/pingcap/tiup commit ffed4ffd2acb62debe2c939e2335a720756937ae (pkg/cluster/spec/spec.go (stand-in for go.etcd.io/etcd/clientv3))
// Link: https://github.com/pingcap/tiup/commit/ffed4ffd2acb62debe2c939e2335a720756937ae
// Bug: UpdateTopology.Execute runs an etcd (PD) transaction with the task ctx, which the manager creates from context.Background(); the etcd client waits forever, so if all PD nodes are down the command hangs forever.
// Fix: Execute wraps ctx in context.WithTimeout(ctx, 10*time.Second) before calling client.Txn(ctx).
// Rule: nodeadline
package task

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// Instance is a reduced stand-in for spec.Instance.
type Instance struct {
	Host       string `json:"ip"`
	Port       int    `json:"port"`
	DeployPath string `json:"deploy_path"`
}

// ID returns the instance id.
func (i Instance) ID() string { return fmt.Sprintf("%s:%d", i.Host, i.Port) }

// Specification is a reduced stand-in for spec.Specification.
type Specification struct {
	PDServers []Instance
	Monitors  []Instance
}

// ClusterMeta is the meta information of a cluster.
type ClusterMeta struct {
	Topology *Specification
}

// GetEtcdClient returns a client talking to the PD embedded etcd.
// Like clientv3, the client has no timeout of its own.
func (s *Specification) GetEtcdClient() (*EtcdClient, error) {
	var endpoints []string
	for _, pd := range s.PDServers {
		endpoints = append(endpoints, fmt.Sprintf("http://%s:%d", pd.Host, pd.Port))
	}
	return &EtcdClient{endpoints: endpoints, hc: &http.Client{}}, nil
}

// Op is a single etcd operation.
type Op struct {
	Key    string
	Value  string
	Delete bool
}

// OpPut returns a put operation.
func OpPut(key, val string) Op { return Op{Key: key, Value: val} }

// OpDelete returns a delete operation.
func OpDelete(key string) Op { return Op{Key: key, Delete: true} }

// EtcdClient talks to the etcd v3 JSON gateway.
type EtcdClient struct {
	endpoints []string
	hc        *http.Client
}

// Txn is a pending etcd transaction bound to ctx.
type Txn struct {
	ctx context.Context
	c   *EtcdClient
	ops []Op
}

// Txn starts a transaction.
func (c *EtcdClient) Txn(ctx context.Context) *Txn { return &Txn{ctx: ctx, c: c} }

// Then adds operations.
func (t *Txn) Then(ops ...Op) *Txn { t.ops = append(t.ops, ops...); return t }

// Commit sends the transaction; it blocks until ctx is done or a PD answers.
func (t *Txn) Commit() ([]byte, error) {
	var success []map[string]any
	for _, op := range t.ops {
		k := base64.StdEncoding.EncodeToString([]byte(op.Key))
		if op.Delete {
			success = append(success, map[string]any{"request_delete_range": map[string]string{"key": k}})
		} else {
			v := base64.StdEncoding.EncodeToString([]byte(op.Value))
			success = append(success, map[string]any{"request_put": map[string]string{"key": k, "value": v}})
		}
	}
	body, err := json.Marshal(map[string]any{"success": success})
	if err != nil {
		return nil, err
	}
	var lastErr error
	for {
		for _, ep := range t.c.endpoints {
			req, err := http.NewRequestWithContext(t.ctx, http.MethodPost, ep+"/v3/kv/txn", bytes.NewReader(body))
			if err != nil {
				return nil, err
			}
			resp, err := t.c.hc.Do(req)
			if err != nil {
				lastErr = err
				if t.ctx.Err() != nil {
					return nil, fmt.Errorf("etcd txn: %w", lastErr)
				}
				continue
			}
			data, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			return data, err
		}
	}
}
