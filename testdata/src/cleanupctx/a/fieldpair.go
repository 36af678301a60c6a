package a

import (
	"context"
	"net/http"
)

// receptor's work units keep a context and its cancel function together;
// Cancel cancels the unit, then asks the API server to delete its pod with
// the unit's context, done by then: the request fails at once.
type baseUnit struct {
	ctx    context.Context
	cancel context.CancelFunc
}

func (b *baseUnit) Init(parent context.Context) {
	b.ctx, b.cancel = context.WithCancel(parent)
}

func (b *baseUnit) CancelContext()              { b.cancel() }
func (b *baseUnit) GetContext() context.Context { return b.ctx }

type kubeUnit struct {
	baseUnit
	hc  *http.Client
	pod string
}

func (k *kubeUnit) deletePod(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodDelete, "http://api/pods/"+k.pod, nil)
	if err != nil {
		return err
	}
	resp, err := k.hc.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

func (k *kubeUnit) Cancel() error {
	k.CancelContext()
	return k.deletePod(k.GetContext()) // want `\(\*a.kubeUnit\).deletePod is given k.GetContext\(\) after this function cancelled it, so it fails at once instead of doing its work: give it context.WithTimeout\(context.WithoutCancel\(k.GetContext\(\)\), d\)`
}

// The fields themselves.
func (k *kubeUnit) Stop() error {
	k.cancel()
	return k.deletePod(k.ctx) // want `\(\*a.kubeUnit\).deletePod is given k.ctx after this function cancelled it`
}

// Negatives.

// The upstream fix: a context of its own for the deletion.
func (k *kubeUnit) CancelFixed() error {
	k.CancelContext()
	return k.deletePod(context.WithoutCancel(k.GetContext()))
}

// Deleted before cancelling.
func (k *kubeUnit) CancelAfter() error {
	err := k.deletePod(k.GetContext())
	k.CancelContext()
	return err
}

// Cancelled on one path only.
func (k *kubeUnit) MaybeCancel(stop bool) error {
	if stop {
		k.CancelContext()
	}
	return k.deletePod(k.GetContext())
}

// Another unit's context.
func (k *kubeUnit) CancelOther(other *kubeUnit) error {
	k.CancelContext()
	return other.deletePod(other.GetContext())
}

// Restarted: the unit gets a new context before the call.
func (k *kubeUnit) Restart(parent context.Context) error {
	k.CancelContext()
	k.Init(parent)
	return k.deletePod(k.GetContext())
}

// A method that cancels only sometimes is no cancel method.
func (b *baseUnit) CancelIfIdle(idle bool) {
	if idle {
		b.cancel()
	}
}

func (k *kubeUnit) MaybeIdle(idle bool) error {
	k.CancelIfIdle(idle)
	return k.deletePod(k.GetContext())
}
