// Recall case tl-volcano-nodeorder
// Source: github.com/volcano-sh/volcano commit a1ca7caca85445a1bf3427170c18a27a0e43339a (pkg/scheduler/plugins/nodeorder/nodeorder.go)
// Link: https://github.com/volcano-sh/volcano/commit/a1ca7caca85445a1bf3427170c18a27a0e43339a
// Bug: taintTolerationScore gives errCh capacity 1 but every failing worker in workqueue.ParallelizeUntil sends to it; the reader only drains one value after ParallelizeUntil returns, so a second failing worker blocks forever and the scheduler hangs
// Fix: make errCh buffered with len(nodes) so every worker can send without a reader
// Rule: timeoutleak
package nodeorder

import (
	"context"
	"fmt"
	"log"
	"sync"
)

// ---- reduced stand-ins for k8s types ------------------------------------------

type Taint struct {
	Key    string
	Effect string
}

type Node struct {
	Name   string
	Taints []Taint
}

type Pod struct {
	Namespace   string
	Name        string
	Tolerations []string
}

type NodeScore struct {
	Name  string
	Score int64
}

type NodeScoreList []NodeScore

const (
	MaxNodeScore int64 = 100
	MinNodeScore int64 = 0
)

type Status struct {
	code    int
	message string
}

func (s *Status) IsSuccess() bool { return s == nil || s.code == 0 }
func (s *Status) Message() string {
	if s == nil {
		return ""
	}
	return s.message
}
func (s *Status) AsError() error {
	if s.IsSuccess() {
		return nil
	}
	return fmt.Errorf("%s", s.message)
}

type CycleState struct{}

// TaintToleration is a reduced stand-in for the kube-scheduler plugin.
type TaintToleration struct {
	nodes map[string]*Node
}

func (pl *TaintToleration) PreScore(ctx context.Context, state *CycleState, pod *Pod, nodes []*Node) *Status {
	pl.nodes = make(map[string]*Node, len(nodes))
	for _, n := range nodes {
		pl.nodes[n.Name] = n
	}
	return nil
}

func (pl *TaintToleration) Score(ctx context.Context, state *CycleState, pod *Pod, nodeName string) (int64, *Status) {
	node, ok := pl.nodes[nodeName]
	if !ok {
		return 0, &Status{code: 1, message: fmt.Sprintf("getting node %q from Snapshot", nodeName)}
	}
	var intolerable int64
	for _, t := range node.Taints {
		if t.Effect != "PreferNoSchedule" {
			continue
		}
		tolerated := false
		for _, tol := range pod.Tolerations {
			if tol == t.Key {
				tolerated = true
				break
			}
		}
		if !tolerated {
			intolerable++
		}
	}
	return intolerable, nil
}

func (pl *TaintToleration) NormalizeScore(ctx context.Context, state *CycleState, pod *Pod, scores NodeScoreList) *Status {
	var max int64
	for _, s := range scores {
		if s.Score > max {
			max = s.Score
		}
	}
	for i := range scores {
		if max == 0 {
			scores[i].Score = MaxNodeScore
			continue
		}
		scores[i].Score = MaxNodeScore - scores[i].Score*MaxNodeScore/max
	}
	return nil
}

// ParallelizeUntil is a reduced copy of k8s.io/client-go/util/workqueue.ParallelizeUntil:
// it runs doWorkPiece for every piece on `workers` goroutines and waits for all of them.
func ParallelizeUntil(ctx context.Context, workers, pieces int, doWorkPiece func(piece int)) {
	if pieces == 0 {
		return
	}
	toProcess := make(chan int, pieces)
	for i := 0; i < pieces; i++ {
		toProcess <- i
	}
	close(toProcess)
	if pieces < workers {
		workers = pieces
	}
	wg := sync.WaitGroup{}
	wg.Add(workers)
	for i := 0; i < workers; i++ {
		go func() {
			defer wg.Done()
			for piece := range toProcess {
				select {
				case <-ctx.Done():
					return
				default:
					doWorkPiece(piece)
				}
			}
		}()
	}
	wg.Wait()
}

// ---- the code under test --------------------------------------------------------

func taintTolerationScore(
	ctx context.Context,
	taintToleration *TaintToleration,
	cycleState *CycleState,
	pod *Pod,
	nodes []*Node,
	taintTolerationWeight int,
) (map[string]float64, error) {
	preScoreStatus := taintToleration.PreScore(ctx, cycleState, pod, nodes)
	if !preScoreStatus.IsSuccess() {
		return nil, preScoreStatus.AsError()
	}

	nodescoreList := make(NodeScoreList, len(nodes))
	errCh := make(chan error, 1)
	ParallelizeUntil(ctx, 16, len(nodes), func(index int) {
		nodeName := nodes[index].Name
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		s, status := taintToleration.Score(ctx, cycleState, pod, nodeName)
		if !status.IsSuccess() {
			errCh <- fmt.Errorf("calculate taint toleration priority failed %v", status.Message())
			return
		}
		nodescoreList[index] = NodeScore{
			Name:  nodeName,
			Score: s,
		}
	})

	select {
	case err := <-errCh:
		return nil, err
	default:
	}

	taintToleration.NormalizeScore(ctx, cycleState, pod, nodescoreList)

	nodeScores := make(map[string]float64, len(nodes))
	for i, nodeScore := range nodescoreList {
		// return error if score plugin returns invalid score.
		if nodeScore.Score > MaxNodeScore || nodeScore.Score < MinNodeScore {
			return nil, fmt.Errorf("taint toleration returns an invalid score %v for node %s", nodeScore.Score, nodeScore.Name)
		}
		nodeScore.Score *= int64(taintTolerationWeight)
		nodescoreList[i] = nodeScore
		nodeScores[nodeScore.Name] = float64(nodeScore.Score)
	}

	log.Printf("taint toleration Score for task %s/%s is: %v", pod.Namespace, pod.Name, nodeScores)
	return nodeScores, nil
}
