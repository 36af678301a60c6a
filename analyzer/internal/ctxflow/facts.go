package ctxflow

import (
	"fmt"
	"strings"

	"golang.org/x/tools/go/ssa"
)

// ReachesSink is exported for a function whose context parameter reaches a
// call that waits on the outside world with no other bound: the caller's
// context is the wait's only deadline. Callers passing a context without a
// deadline are reported at their call site.
type ReachesSink struct {
	Params []ParamReach // sorted by Param
}

// ParamReach says that parameter Param (signature index, receiver excluded)
// reaches Sink. Via is the first call on the path ("" when the function calls
// the sink itself).
type ParamReach struct {
	Param int
	Name  string
	Sink  string
	Via   string
}

func (*ReachesSink) AFact() {}

// Relevant is a package fact: the package declares a call that waits on the
// outside world (a catalog sink) or imports a package that is Relevant. Only
// such packages can export facts about waits; `go vet` runs the suite on
// every dependency for facts, and deadlinelint's vet tool skips a
// dependency none of whose imports is Relevant without parsing it (see
// the vettool package). The fact is what makes that skip safe: a package
// that was skipped exports nothing, so a package importing only such
// packages is judged the same way whether it was skipped or analysed.
type Relevant struct {
	// Via is the import that makes the package relevant ("net", or an
	// import that is itself Relevant); empty when the package declares
	// sinks itself.
	Via string
}

func (*Relevant) AFact() {}

func (f *Relevant) String() string {
	if f.Via == "" {
		return "declares sinks"
	}
	return "imports " + f.Via
}

// relevance decides and exports the package's Relevant fact.
func (r *Result) relevance() bool {
	pkg := r.Pass.Pkg
	if r.Catalog.DefinesSinks(pkg.Path()) {
		r.Pass.ExportPackageFact(&Relevant{})
		return true
	}
	for _, imp := range pkg.Imports() {
		if r.Catalog.DefinesSinks(imp.Path()) || r.Pass.ImportPackageFact(imp, new(Relevant)) {
			r.Pass.ExportPackageFact(&Relevant{Via: imp.Path()})
			return true
		}
	}
	return false
}

func (f *ReachesSink) String() string {
	var b strings.Builder
	for i, p := range f.Params {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "%s reaches %s", p.Name, p.Sink)
		if p.Via != "" {
			fmt.Fprintf(&b, " via %s", p.Via)
		}
	}
	return b.String()
}

func (f *ReachesSink) param(i int) *ParamReach {
	for k := range f.Params {
		if f.Params[k].Param == i {
			return &f.Params[k]
		}
	}
	return nil
}

// summarize computes, to a fixed point, which context parameters of this
// package's functions reach a sink, directly or through calls.
func (r *Result) summarize() {
	for changed := true; changed; {
		changed = false
		for _, c := range r.Calls {
			r.beginQuery(c.Fn)
			if c.Sink != nil {
				v := r.judge(c)
				if v.Reaching() && v.Ctx.State == Inherited && v.Ctx.Param != nil {
					changed = r.addReach(v.Ctx.Param, c.CalleeName(), "") || changed
				}
				continue
			}
			reach := c.Reaches
			if reach == nil {
				reach = r.summary[r.ssaFunc(c)]
			}
			if reach == nil {
				continue
			}
			for _, p := range reach.Params {
				if p.Param >= len(c.Args) {
					continue
				}
				o := r.classify(c.Args[p.Param], 0)
				if o.State == Inherited && o.Param != nil {
					changed = r.addReach(o.Param, p.Sink, c.CalleeName()) || changed
				}
			}
		}
	}
	for _, c := range r.Calls {
		if c.Sink == nil && c.Reaches == nil {
			c.Reaches = r.summary[r.ssaFunc(c)]
		}
	}
}

func (r *Result) ssaFunc(c *Call) *ssa.Function {
	if r.Pkg == nil || c.Callee.Pkg() != r.Pass.Pkg {
		return nil
	}
	return r.Pkg.Prog.FuncValue(c.Callee.Origin())
}

func (r *Result) addReach(p *ssa.Parameter, sink, via string) bool {
	fn := p.Parent()
	if funcObject(fn) == nil {
		return false // closures are summarized through their captures
	}
	idx := SigParam(p)
	if idx < 0 {
		return false
	}
	s := r.summary[fn]
	if s == nil {
		s = &ReachesSink{}
		r.summary[fn] = s
	}
	if s.param(idx) != nil {
		return false
	}
	s.Params = append(s.Params, ParamReach{Param: idx, Name: p.Name(), Sink: sink, Via: via})
	sortedParams(s.Params)
	return true
}

// exportFacts exports the summaries of functions other packages can call.
func (r *Result) exportFacts() {
	for _, fn := range r.SrcFuncs {
		s := r.summary[fn]
		obj := funcObject(fn)
		if s == nil || obj == nil || !obj.Exported() {
			continue
		}
		r.Pass.ExportObjectFact(obj, s)
	}
}
