package ctxflow

import "golang.org/x/tools/go/ssa"

// InLoop reports whether block b can reach itself: it runs in a loop.
func InLoop(b *ssa.BasicBlock) bool {
	return reach(b, succs)[b]
}

// LoopBlocks returns the blocks of the cycles through b (those b reaches that
// reach b back), or nil when b is in no loop.
func LoopBlocks(b *ssa.BasicBlock) []*ssa.BasicBlock {
	forward := reach(b, succs)
	if !forward[b] {
		return nil
	}
	backward := reach(b, func(x *ssa.BasicBlock) []*ssa.BasicBlock { return x.Preds })
	var out []*ssa.BasicBlock
	for _, x := range b.Parent().Blocks {
		if forward[x] && backward[x] {
			out = append(out, x)
		}
	}
	return out
}

func succs(x *ssa.BasicBlock) []*ssa.BasicBlock { return x.Succs }

// reach returns the blocks reachable from 'from' in one or more steps.
func reach(from *ssa.BasicBlock, next func(*ssa.BasicBlock) []*ssa.BasicBlock) map[*ssa.BasicBlock]bool {
	seen := map[*ssa.BasicBlock]bool{}
	stack := append([]*ssa.BasicBlock(nil), next(from)...)
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[x] {
			continue
		}
		seen[x] = true
		stack = append(stack, next(x)...)
	}
	return seen
}
