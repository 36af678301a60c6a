// Recall case tl-talos-campaignerrch
// Source: github.com/siderolabs/talos commit f7790816ef42b4399715fdaed85a8a3ba0090473 (internal/app/machined/pkg/controllers/network/operator/vip.go)
// Link: https://github.com/siderolabs/talos/commit/f7790816ef42b4399715fdaed85a8a3ba0090473
// Bug: VIP.campaign runs election.Campaign in a goroutine that sends its result on the unbuffered campaignErrCh, but the campaign loop also returns on session close, ctx.Done() or a watch event; after such an early return nobody receives and the goroutine blocks forever on the send.
// Fix: campaignErrCh is created with a buffer of 1 so the campaign goroutine can always deliver its result and exit.
// Rule: timeoutleak
package operator

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/url"
	"os"
)

// Session stands in for an etcd concurrency.Session.
type Session struct {
	done chan struct{}
}

// Done is closed when the session lease is lost.
func (s *Session) Done() <-chan struct{} { return s.done }

// Election stands in for an etcd concurrency.Election, talking to an
// election endpoint over HTTP (long poll until this node becomes leader).
type Election struct {
	client   *http.Client
	endpoint string
	key      string
}

// Campaign blocks until val is elected leader or ctx is done.
func (e *Election) Campaign(ctx context.Context, val string) error {
	u := e.endpoint + "/campaign?key=" + url.QueryEscape(e.key) + "&value=" + url.QueryEscape(val)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, nil)
	if err != nil {
		return err
	}
	resp, err := e.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("campaign failed: %s", resp.Status)
	}
	return nil
}

// Event is a resource watch event.
type Event struct {
	Destroyed bool
	ID        string
	Teardown  bool
}

// VIP implements the shared IP operator.
type VIP struct {
	logger   *log.Logger
	election *Election
	session  *Session
	watchCh  chan Event
}

func (vip *VIP) markAsLeader(ctx context.Context, notifyCh chan<- struct{}, leader bool) error {
	select {
	case notifyCh <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (vip *VIP) campaign(ctx context.Context, notifyCh chan<- struct{}) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	hostname, err := os.Hostname() // TODO: this should be etcd nodename
	if err != nil {
		return errors.New("refusing to join election without a hostname")
	}

	sess := vip.session
	election := vip.election

	campaignErrCh := make(chan error)

	go func() {
		campaignErrCh <- election.Campaign(ctx, hostname)
	}()

	watchCh := vip.watchCh

	// wait for the etcd election campaign to be complete
	// while waiting, also observe the kubelet lifecycle object (if the node is shutting down) and etcd status
campaignLoop:
	for {
		select {
		case err = <-campaignErrCh:
			if err != nil {
				return fmt.Errorf("failed to conduct campaign: %w", err)
			}

			// node won the election campaign!
			break campaignLoop
		case <-sess.Done():
			vip.logger.Print("etcd session closed")

			return nil
		case <-ctx.Done():
			return nil
		case event := <-watchCh:
			// break the loop when etcd is stopped
			if event.Destroyed && event.ID == "etcd" {
				return nil
			}

			// break the loop if the kubelet lifecycle is entering teardown phase
			if event.Teardown {
				return nil
			}
		}
	}

	if err = vip.markAsLeader(ctx, notifyCh, true); err != nil {
		return err
	}

	vip.logger.Print("enabled shared IP")

	<-ctx.Done()

	return nil
}
