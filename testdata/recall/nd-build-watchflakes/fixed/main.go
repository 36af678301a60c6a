// Recall case nd-build-watchflakes
// Source: github.com/golang/build commit ede91cf91ea8bb1fad9a41d2ce90d0574f815634 (cmd/watchflakes/main.go)
// Link: https://github.com/golang/build/commit/ede91cf91ea8bb1fad9a41d2ce90d0574f815634
// Bug: main passes context.Background() to the LUCI RPCs (ListBoards/ReadBoards) made through an http.Client with no Timeout, so a hung LUCI RPC blocks the watcher forever.
// Fix: each repeat cycle runs under context.WithTimeout(context.Background(), timeout) (30m one-off, 2x the repeat period otherwise).
// Rule: nodeadline
package watchflakes

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net/http"
	"runtime"
	"time"
)

var repeat = flag.Duration("repeat", 0, "keep running with specified `period`; zero means to run once and exit")

const timeLimit = 45 * 24 * time.Hour


const crBuildBucketHost = "cr-buildbucket.appspot.com"

type Builder struct {
	Name     string `json:"name"`
	Repo     string `json:"repo"`
	GoBranch string `json:"goBranch"`
}

type BuildResult struct {
	ID     int64  `json:"id"`
	Commit string `json:"commit"`
	Status string `json:"status"`
}

type Dashboard struct {
	Repo     string
	GoBranch string
	Builders []Builder
	Results  [][]*BuildResult
}

// LUCIClient talks pRPC (JSON over HTTP POST) to LUCI services.
type LUCIClient struct {
	HTTPClient *http.Client
	Host       string
	TraceSteps bool
	nProc      int
}

func NewLUCIClient(nProc int) *LUCIClient {
	if nProc < 1 {
		panic(fmt.Errorf("nProc is %d, want 1 or higher", nProc))
	}
	c := new(http.Client)
	return &LUCIClient{HTTPClient: c, Host: crBuildBucketHost, nProc: nProc}
}

// call stands in for prpc.Client.Call.
func (c *LUCIClient) call(ctx context.Context, service, method string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	url := "https://" + c.Host + "/prpc/" + service + "/" + method
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.HTTPClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s.%s: %s", service, method, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

func (c *LUCIClient) ListBuilders(ctx context.Context, repo, goBranch string) ([]Builder, error) {
	var resp struct{ Builders []Builder }
	err := c.call(ctx, "buildbucket.v2.Builders", "ListBuilders", map[string]string{"project": "golang", "repo": repo, "branch": goBranch}, &resp)
	return resp.Builders, err
}

func (c *LUCIClient) ListBoards(ctx context.Context) ([]*Dashboard, error) {
	builders, err := c.ListBuilders(ctx, "", "")
	if err != nil {
		return nil, err
	}
	seen := make(map[[2]string]bool)
	var boards []*Dashboard
	for _, b := range builders {
		k := [2]string{b.Repo, b.GoBranch}
		if !seen[k] {
			seen[k] = true
			boards = append(boards, &Dashboard{Repo: b.Repo, GoBranch: b.GoBranch})
		}
	}
	return boards, nil
}

func (c *LUCIClient) GetBuilds(ctx context.Context, builder string, since time.Time) ([]*BuildResult, error) {
	var resp struct{ Builds []*BuildResult }
	err := c.call(ctx, "buildbucket.v2.Builds", "SearchBuilds", map[string]any{"builder": builder, "since": since}, &resp)
	return resp.Builds, err
}

func (c *LUCIClient) ReadBoard(ctx context.Context, dash *Dashboard, since time.Time) error {
	if c.TraceSteps {
		log.Println("ReadBoard", dash.Repo, dash.GoBranch)
	}
	var err error
	dash.Builders, err = c.ListBuilders(ctx, dash.Repo, dash.GoBranch)
	if err != nil {
		return err
	}
	dash.Results = make([][]*BuildResult, len(dash.Builders))
	for i, builder := range dash.Builders {
		builds, err := c.GetBuilds(ctx, builder.Name, since)
		if err != nil {
			return err
		}
		dash.Results[i] = builds
	}
	return nil
}

func (c *LUCIClient) ReadBoards(ctx context.Context, boards []*Dashboard, since time.Time) error {
	for _, dash := range boards {
		err := c.ReadBoard(ctx, dash, since)
		if err != nil {
			return err
		}
	}
	return nil
}

func main() {
	flag.Parse()

	// Load LUCI dashboards
	c := NewLUCIClient(runtime.GOMAXPROCS(0) * 4)
	c.TraceSteps = true

	var ticker *time.Ticker
	timeout := 30 * time.Minute // default timeout for one-off run
	if *repeat != 0 {
		ticker = time.NewTicker(*repeat)
		timeout = *repeat * 2 // expected to finish in one repeat cycle, give some extra room
	}
Repeat:
	startTime := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	// fetch the dashboard
	boards, err := c.ListBoards(ctx)
	if err != nil {
		log.Fatalln("ListBoards:", err)
	}
	err = c.ReadBoards(ctx, boards, startTime.Add(-timeLimit))
	if err != nil {
		log.Fatalln("ReadBoards:", err)
	}

	cancel()

	log.Printf("Done. %d boards, in %v\n", len(boards), time.Since(startTime))

	if *repeat != 0 {
		<-ticker.C
		goto Repeat
	}
}
