// Recall case sc-matrixone-hakeeperrunning
// Source: github.com/matrixorigin/matrixone commit abaa85826056cdc9a9ed305c2cbc246be05f89c3 (cmd/mo-service/launch.go)
// Link: https://github.com/matrixorigin/matrixone/commit/abaa85826056cdc9a9ed305c2cbc246be05f89c3
// Bug: waitHAKeeperRunning retries GetClusterState in a loop until the state is HAKeeperRunning; once its 30s context expires every call fails with context.DeadlineExceeded and a zero state, which is treated as "not ready" and retried forever.
// Fix: Return the error when errors.Is(err, context.DeadlineExceeded) instead of retrying (and raise the budget to 2 minutes).
// Rule: swallowcancel
package launch

import (
	"context"
	"encoding/json"
	"errors"
	"log"
	"net/http"
	"time"
)

// Stand-ins for logpb / moerr / logservice.

type HAKeeperState int

const (
	HAKeeperCreated HAKeeperState = iota
	HAKeeperRunning
)

type CheckerState struct {
	State HAKeeperState
}

var ErrNoHAKeeper = errors.New("no hakeeper")

// CNHAKeeperClient is the client used by a CN to talk to the HAKeeper.
type CNHAKeeperClient interface {
	GetClusterState(ctx context.Context) (CheckerState, error)
}

type httpHAKeeperClient struct {
	addr   string
	client *http.Client
}

func (c *httpHAKeeperClient) GetClusterState(ctx context.Context) (CheckerState, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.addr+"/cluster/state", nil)
	if err != nil {
		return CheckerState{}, err
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return CheckerState{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusServiceUnavailable {
		return CheckerState{}, ErrNoHAKeeper
	}
	var state CheckerState
	err = json.NewDecoder(resp.Body).Decode(&state)
	return state, err
}

func waitHAKeeperRunning(client CNHAKeeperClient) error {
	ctx, cancel := context.WithTimeout(context.TODO(), time.Minute*2)
	defer cancel()

	// wait HAKeeper running
	for {
		state, err := client.GetClusterState(ctx)
		if errors.Is(err, context.DeadlineExceeded) {
			return err
		}
		if errors.Is(err, ErrNoHAKeeper) ||
			state.State != HAKeeperRunning {
			// not ready
			log.Println("hakeeper not ready, retry")
			time.Sleep(time.Second)
			continue
		}
		return err
	}
}
