package a

import (
	"context"
	"errors"
	"net/http"
	"time"
)

// A loop that works under a context its object keeps, with no caller's
// context in scope: the sleep between attempts ignores it.

type mongoClient struct{ hc *http.Client }

func (c *mongoClient) aggregate(ctx context.Context, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, nil)
	if err != nil {
		return err
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// wal-g's MongodService kept the context it lives by and retried
// $backupCursor minutes apart.
type MongodService struct {
	Context context.Context
	Client  *mongoClient
}

func (s *MongodService) GetBackupCursor(url string) error {
	var err error
	for i := 0; i < 5; i++ {
		if err = s.Client.aggregate(s.Context, url); err == nil {
			return nil
		}
		time.Sleep(time.Minute * time.Duration(i+1)) // want `time.Sleep \(a computed duration\) ignores s.Context, which this loop works under: once it is done the loop still waits for the whole sleep; select on s.Context.Done\(\) and time.After instead`
	}
	return err
}

// --- exemptions ---

// A kept context that is only ever Background ends never: the sleep
// ignores nothing.
type pinger struct {
	ctx    context.Context
	client *mongoClient
}

func newPinger(c *mongoClient) *pinger { return &pinger{ctx: context.Background(), client: c} }

func (p *pinger) ping(url string) error {
	for i := 0; i < 5; i++ {
		if err := p.client.aggregate(p.ctx, url); err == nil {
			return nil
		}
		time.Sleep(time.Second)
	}
	return errors.New("unreachable")
}

// A short throttle between attempts.
func (s *MongodService) throttled(url string) error {
	for i := 0; i < 5; i++ {
		if err := s.Client.aggregate(s.Context, url); err == nil {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return errors.New("unreachable")
}

// The kept context only labels a call that does not wait with it.
func record(ctx context.Context, what string) { _, _ = ctx, what }

func (s *MongodService) poll(ready func() bool) {
	for !ready() {
		record(s.Context, "poll")
		time.Sleep(time.Second)
	}
}
