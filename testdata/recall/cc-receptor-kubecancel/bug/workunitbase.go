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
	"sync"
)

const (
	WorkStatePending  = 0
	WorkStateRunning  = 1
	WorkStateCanceled = 4
)

// BaseWorkUnit includes data common to all work units.
type BaseWorkUnit struct {
	statusLock sync.RWMutex
	state      int
	detail     string
	ctx        context.Context
	cancel     context.CancelFunc
}

// Init initializes the basic work unit data, in memory only.
func (bwu *BaseWorkUnit) Init(parent context.Context) {
	bwu.state = WorkStatePending
	bwu.ctx, bwu.cancel = context.WithCancel(parent)
}

func (bwu *BaseWorkUnit) UpdateBasicStatus(state int, detail string, stdoutSize int64) {
	bwu.statusLock.Lock()
	defer bwu.statusLock.Unlock()
	bwu.state = state
	bwu.detail = detail
	log.Printf("work unit state %d: %s", state, detail)
}

func (bwu *BaseWorkUnit) CancelContext() {
	bwu.cancel()
}

func (bwu *BaseWorkUnit) GetContext() context.Context {
	return bwu.ctx
}

func (bwu *BaseWorkUnit) GetCancel() context.CancelFunc {
	return bwu.cancel
}
