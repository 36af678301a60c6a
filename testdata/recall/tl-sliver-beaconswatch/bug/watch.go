// Recall case tl-sliver-beaconswatch
// Source: github.com/BishopFox/sliver commit 1a2388aadce54a14abe564fdd5beaf7b269ce46f (client/command/beacons/watch.go)
// Link: https://github.com/BishopFox/sliver/commit/1a2388aadce54a14abe564fdd5beaf7b269ce46f
// Bug: waitForInput's goroutine sends on the unbuffered done channel; BeaconsWatchCmd selects between done and time.After and can leave (panic on RPC error) without receiving, so the sender blocks forever.
// Fix: done is created with a buffer of 1 (make(chan bool, 1)) so the send never blocks.
// Rule: timeoutleak
package beacons

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

const (
	UpN     = "\033[%dA"
	Clearln = "\r\033[K"
)

type Beacon struct {
	ID       string
	Name     string
	Hostname string
	NextIn   time.Duration
}

// rpcClient stands in for the generated gRPC SliverRPC client.
type rpcClient struct {
	hc      *http.Client
	baseURL string
}

func (r *rpcClient) GetBeacons(ctx context.Context) ([]*Beacon, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.baseURL+"/rpc/GetBeacons", nil)
	if err != nil {
		return nil, err
	}
	resp, err := r.hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var beacons []*Beacon
	if err := json.NewDecoder(resp.Body).Decode(&beacons); err != nil {
		return nil, err
	}
	return beacons, nil
}

type SliverConsoleClient struct {
	Rpc *rpcClient
}

func (con *SliverConsoleClient) Printf(format string, args ...any) {
	fmt.Printf(format, args...)
}

func renderBeacons(beacons []*Beacon) string {
	var b strings.Builder
	for _, beacon := range beacons {
		fmt.Fprintf(&b, "%s\t%s\t%s\t%s\n", beacon.ID, beacon.Name, beacon.Hostname, beacon.NextIn)
	}
	return b.String()
}

// BeaconsWatchCmd - Watch your beacons in real-ish time
func BeaconsWatchCmd(con *SliverConsoleClient) {
	done := waitForInput()
	defer func() {
		con.Printf(UpN+Clearln+"\r", 1)
		con.Printf(UpN+Clearln+"\r", 1)
	}()
	for {
		select {
		case <-done:
			return
		case <-time.After(time.Second):
			beacons, err := con.Rpc.GetBeacons(context.Background())
			if err != nil {
				panic(err) // If we return we may leak the waiting goroutine, so we panic instead
			}
			lines := strings.Split(renderBeacons(beacons), "\n")
			for _, line := range lines {
				con.Printf(Clearln+"\r%s\n", line)
			}
			con.Printf("\nPress enter to stop.\n")
			con.Printf(UpN+"\r", len(lines)+2)
		}
	}
}

func waitForInput() <-chan bool {
	done := make(chan bool)
	go func() {
		defer close(done)
		fmt.Scanf("\n")
		done <- true
	}()
	return done
}
