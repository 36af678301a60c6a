package ctxflow

import (
	"slices"

	"golang.org/x/tools/go/ssa"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/knowledge"
)

// summarizeHijacks records the http.ResponseWriter parameters fn hijacks:
// it calls (http.Hijacker).Hijack on one (after a type assertion), or hands
// one to a function whose summary says it does (gorilla's Upgrade).
func (r *Result) summarizeHijacks(fn *ssa.Function) bool {
	if fn.Parent() != nil {
		return false
	}
	changed := false
	for _, p := range fn.Params {
		if knowledge.TypeRole(p.Type()) != knowledge.HTTPResponseWriterType {
			continue
		}
		idx := SigParam(p)
		s := r.summaryOf(fn)
		if idx < 0 || slices.Contains(s.Hijacks, idx) || !r.hijacks(fn, p) {
			continue
		}
		s.Hijacks = append(s.Hijacks, idx)
		changed = true
	}
	return changed
}

// hijacks reports whether fn hijacks the response writer w.
func (r *Result) hijacks(fn *ssa.Function, w ssa.Value) bool {
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			ci, ok := instr.(ssa.CallInstruction)
			if !ok {
				continue
			}
			callee, recv, _ := SplitCall(ci.Common())
			if knowledge.RoleOf(callee) == knowledge.HTTPHijack {
				if ta, ok := recv.(*ssa.TypeAssert); ok && StripInterface(ta.X) == w {
					return true
				}
				if ex, ok := recv.(*ssa.Extract); ok {
					if ta, ok := ex.Tuple.(*ssa.TypeAssert); ok && StripInterface(ta.X) == w {
						return true
					}
				}
			}
			for _, c := range r.callsAt[ci] {
				s := r.calleeSummary(c)
				if s == nil {
					continue
				}
				for _, i := range s.Hijacks {
					if i < len(c.Args) && StripInterface(c.Args[i]) == w {
						return true
					}
				}
			}
		}
	}
	return false
}
