// Package nocontext: a worker pool that neither uses a context nor reaches
// the network still leaks a goroutine per give-up (asynq's processor before
// its fix: the worker returned on a quit channel, the task's goroutine was
// left sending).
package nocontext

type task struct{ payload []byte }

func perform(t *task) error { return nil }

type processor struct{ quit chan struct{} }

func (p *processor) exec(t *task) {
	go func() {
		resCh := make(chan error) // want `goroutine sends on this unbuffered channel, but the select stops waiting when case <-p.quit is chosen and the channel is not drained`
		go func() {
			resCh <- perform(t)
		}()
		select {
		case <-p.quit:
			return
		case err := <-resCh:
			_ = err
		}
	}()
}

// The fix: one slot lets the send complete.
func (p *processor) execFixed(t *task) {
	go func() {
		resCh := make(chan error, 1)
		go func() {
			resCh <- perform(t)
		}()
		select {
		case <-p.quit:
			return
		case err := <-resCh:
			_ = err
		}
	}()
}
