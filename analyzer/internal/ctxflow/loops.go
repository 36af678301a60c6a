package ctxflow

import (
	"go/token"
	"go/types"

	"golang.org/x/tools/go/ssa"
)

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

// A Loop is a natural loop: a header and the blocks that reach a back edge
// to it without passing through it.
type Loop struct {
	Header *ssa.BasicBlock
	Blocks map[*ssa.BasicBlock]bool
}

// Loops returns fn's natural loops, innermost last for nested ones sharing
// nothing but order of discovery (use Innermost to pick one).
func Loops(fn *ssa.Function) []*Loop {
	byHeader := map[*ssa.BasicBlock]*Loop{}
	var out []*Loop
	for _, b := range fn.Blocks {
		for _, h := range b.Succs {
			if !h.Dominates(b) {
				continue
			}
			l := byHeader[h]
			if l == nil {
				l = &Loop{Header: h, Blocks: map[*ssa.BasicBlock]bool{h: true}}
				byHeader[h] = l
				out = append(out, l)
			}
			stack := []*ssa.BasicBlock{b}
			for len(stack) > 0 {
				x := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				if l.Blocks[x] {
					continue
				}
				l.Blocks[x] = true
				stack = append(stack, x.Preds...)
			}
		}
	}
	return out
}

// Innermost returns the smallest of loops that contains b, or nil.
func Innermost(loops []*Loop, b *ssa.BasicBlock) *Loop {
	var best *Loop
	for _, l := range loops {
		if l.Blocks[b] && (best == nil || len(l.Blocks) < len(best.Blocks)) {
			best = l
		}
	}
	return best
}

// Invariant reports whether v is the same on every iteration: not computed
// by an instruction of the loop.
func (l *Loop) Invariant(v ssa.Value) bool { return l.invariant(v, 0) }

// invariant is Invariant, looking through field addresses and loads of a
// field the loop never stores to (db.DB, the *sql.DB a wrapper embeds,
// reloaded on every round), at most four deep.
func (l *Loop) invariant(v ssa.Value, depth int) bool {
	instr, ok := v.(ssa.Instruction)
	if !ok {
		return true // constants, parameters, globals, functions, captures
	}
	if instr.Block() == nil || !l.Blocks[instr.Block()] {
		return true
	}
	if depth >= 4 {
		return false
	}
	switch x := v.(type) {
	case *ssa.FieldAddr:
		return l.invariant(x.X, depth+1)
	case *ssa.Field:
		return l.invariant(x.X, depth+1)
	case *ssa.UnOp:
		if x.Op != token.MUL {
			return false
		}
		if a, ok := x.X.(*ssa.Alloc); ok {
			// A variable kept in memory because a closure captures it
			// (ollama's opts): invariant while the loop stores nothing
			// to it.
			return l.invariant(a, depth+1) && !l.storesTo(a)
		}
		if fv, ok := x.X.(*ssa.FreeVar); ok {
			// A variable of the enclosing function, captured by a
			// closure that loops (kine's watch goroutine retrying
			// with the captured ctx): the same while the loop stores
			// nothing to it.
			return !l.storesTo(fv)
		}
		fa, ok := x.X.(*ssa.FieldAddr)
		return ok && l.invariant(fa, depth+1) && !l.storesField(fa)
	}
	return false
}

// storesField reports whether the loop stores to the field fa addresses
// (of any value of its type).
func (l *Loop) storesField(fa *ssa.FieldAddr) bool {
	for b := range l.Blocks {
		for _, instr := range b.Instrs {
			if st, ok := instr.(*ssa.Store); ok {
				if other, ok := st.Addr.(*ssa.FieldAddr); ok && other.Field == fa.Field && types.Identical(other.X.Type(), fa.X.Type()) {
					return true
				}
			}
		}
	}
	return false
}

// storesTo reports whether the loop may change the variable a: it stores to
// it, or uses its address for anything but a load (a call, a closure).
func (l *Loop) storesTo(a interface{ Referrers() *[]ssa.Instruction }) bool {
	for _, ref := range *a.Referrers() {
		if ref.Block() == nil || !l.Blocks[ref.Block()] {
			continue
		}
		switch x := ref.(type) {
		case *ssa.DebugRef:
		case *ssa.UnOp:
			if x.Op != token.MUL {
				return true
			}
		default:
			return true
		}
	}
	return false
}

// Exits returns the loop's exit edges: from a block of the loop to one
// outside it.
func (l *Loop) Exits() [][2]*ssa.BasicBlock {
	var out [][2]*ssa.BasicBlock
	for b := range l.Blocks {
		for _, s := range b.Succs {
			if !l.Blocks[s] {
				out = append(out, [2]*ssa.BasicBlock{b, s})
			}
		}
	}
	sortEdges(out)
	return out
}

func sortEdges(edges [][2]*ssa.BasicBlock) {
	for i := 1; i < len(edges); i++ {
		for j := i; j > 0 && (edges[j][0].Index < edges[j-1][0].Index || edges[j][0].Index == edges[j-1][0].Index && edges[j][1].Index < edges[j-1][1].Index); j-- {
			edges[j], edges[j-1] = edges[j-1], edges[j]
		}
	}
}

// IndexOf returns the position of instr in its block (0 if it is not
// there).
func IndexOf(instr ssa.Instruction) int {
	for i, x := range instr.Block().Instrs {
		if x == instr {
			return i
		}
	}
	return 0
}

// RunsAfter reports whether instruction b can run after instruction a:
// later in the same block, or in a block a path from a's block reaches.
func RunsAfter(a, b ssa.Instruction) bool {
	if b.Block() == nil || a.Block() == nil {
		return false
	}
	if b.Block() == a.Block() {
		return IndexOf(b) > IndexOf(a)
	}
	return Reaches(a.Block(), b.Block())
}

// RunsBefore reports whether a runs before b on every path to b: earlier in
// the same block, or in a block that dominates b's.
func RunsBefore(a, b ssa.Instruction) bool {
	if a.Block() == nil || b.Block() == nil {
		return false
	}
	if a.Block() == b.Block() {
		return IndexOf(a) < IndexOf(b)
	}
	return a.Block().Dominates(b.Block())
}

// Reaches reports whether block to can run after block from: a path of one
// or more edges leads from one to the other.
func Reaches(from, to *ssa.BasicBlock) bool {
	return reach(from, succs)[to]
}
