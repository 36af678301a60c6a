package ctxflow

import (
	"go/ast"
	"go/token"
	"go/types"
	"maps"
	"slices"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/knowledge"
	"github.com/deadlinelint/deadlinelint/analyzer/internal/syntax"
)

// Generated packages are the largest a run meets (aws-sdk-go-v2's ec2:
// thousands of serializers, 8 s in SSA and the syntax walk), and the rules
// never report in generated files: only the facts their functions export
// matter. So a generated function whose body cannot contribute to any
// summary is given to SSA without its body, as an external function would
// be. A body can contribute when it (or a literal nested in it):
//
//   - declares or uses a context.Context, or any object of a package the
//     rules judge (context, time, net, net/http, …) or of the sink catalog;
//   - calls a function of another package that has a Summary fact;
//   - starts a goroutine, selects, sends or receives on a channel;
//   - takes an error, a function or a channel (errors flow through
//     converters, callbacks are retried, channels are waited on);
//   - uses a function or method of the package whose body can contribute,
//     or an interface method named like one (its in-package
//     implementations are summarised): a fixed point over the package.
//
// Generic functions, init functions and every function of a file that is
// not generated keep their bodies. A body given up this way has an empty
// summary either way, so results and facts do not change; the gain is on
// generated code only (see TestLeanSSAKeepsFacts).

// leanFiles returns the package's files with the bodies of generated
// functions that cannot contribute removed, and the types.Info to build SSA
// from them (its FileVersions covers the copies, so that SSA keeps each
// file's Go version). It returns the files unchanged when nothing is
// removed.
func (r *Result) leanFiles() ([]*ast.File, *types.Info) {
	pass := r.Pass
	info := pass.TypesInfo
	type decl struct {
		fd        *ast.FuncDecl
		file, at  int  // pass.Files[file].Decls[at] is fd
		strip     bool // a candidate for removal
		relevant  bool
		fn        *types.Func
		calls     []*types.Func // functions and methods of the package it uses
		ifaceUses []string      // interface methods it calls, by name
	}
	if !slices.ContainsFunc(pass.Files, syntax.Generated) {
		return pass.Files, info // the common case: nothing to walk
	}
	var decls []*decl
	candidates := 0
	for i, f := range pass.Files {
		generated := syntax.Generated(f)
		for j, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Body == nil {
				continue
			}
			fn, _ := info.Defs[fd.Name].(*types.Func)
			if fn == nil {
				continue
			}
			x := &decl{fd: fd, file: i, at: j, fn: fn}
			x.strip = generated && fd.Name.Name != "init" && !isGeneric(fn)
			if x.strip {
				candidates++
			}
			x.relevant = r.bodyRelevant(fd, func(callee *types.Func) { x.calls = append(x.calls, callee) }, func(name string) { x.ifaceUses = append(x.ifaceUses, name) })
			decls = append(decls, x)
		}
	}
	if candidates == 0 {
		return pass.Files, info
	}
	// Fixed point, by reverse edges: a declaration that uses a relevant
	// function, or an interface method named like a relevant method, is
	// relevant.
	usedBy := map[*types.Func][]*decl{}
	ifaceUsedBy := map[string][]*decl{}
	var work []*decl
	for _, x := range decls {
		for _, callee := range x.calls {
			usedBy[callee] = append(usedBy[callee], x)
		}
		for _, name := range x.ifaceUses {
			ifaceUsedBy[name] = append(ifaceUsedBy[name], x)
		}
		if x.relevant {
			work = append(work, x)
		}
	}
	namesDone := map[string]bool{}
	mark := func(users []*decl) {
		for _, u := range users {
			if !u.relevant {
				u.relevant = true
				work = append(work, u)
			}
		}
	}
	for len(work) > 0 {
		x := work[len(work)-1]
		work = work[:len(work)-1]
		mark(usedBy[x.fn])
		if x.fn.Signature().Recv() != nil && !namesDone[x.fn.Name()] {
			namesDone[x.fn.Name()] = true
			mark(ifaceUsedBy[x.fn.Name()])
		}
	}
	files := append([]*ast.File(nil), pass.Files...)
	copied := map[int]bool{}
	stripped := 0
	for _, x := range decls {
		if !x.strip || x.relevant {
			continue
		}
		if !copied[x.file] {
			f := *files[x.file]
			f.Decls = append([]ast.Decl(nil), f.Decls...)
			files[x.file] = &f
			copied[x.file] = true
		}
		bodiless := *x.fd
		bodiless.Body = nil
		files[x.file].Decls[x.at] = &bodiless
		stripped++
	}
	if stripped == 0 {
		return pass.Files, info
	}
	lean := *info
	lean.FileVersions = maps.Clone(info.FileVersions)
	if lean.FileVersions == nil {
		lean.FileVersions = map[*ast.File]string{}
	}
	for i := range copied {
		if v, ok := info.FileVersions[pass.Files[i]]; ok {
			lean.FileVersions[files[i]] = v
		}
	}
	return files, &lean
}

// bodyRelevant reports whether a function declaration can contribute to a
// summary by itself (see leanFiles), and hands the package's functions and
// the interface methods it uses to the callbacks, for the fixed point.
func (r *Result) bodyRelevant(fd *ast.FuncDecl, usesFunc func(*types.Func), usesIfaceMethod func(string)) bool {
	info := r.Pass.TypesInfo
	if fn, _ := info.Defs[fd.Name].(*types.Func); fn != nil && signatureCarriesFlow(fn.Signature()) {
		return true
	}
	relevant := false
	ast.Inspect(fd, func(n ast.Node) bool {
		if relevant {
			return false
		}
		switch n := n.(type) {
		case *ast.GoStmt, *ast.SelectStmt, *ast.SendStmt:
			relevant = true
		case *ast.UnaryExpr:
			relevant = n.Op == token.ARROW
		case *ast.RangeStmt:
			if t := info.TypeOf(n.X); t != nil {
				_, isChan := t.Underlying().(*types.Chan)
				relevant = isChan
			}
		case *ast.FuncLit:
			if t, ok := info.TypeOf(n).(*types.Signature); ok && signatureCarriesFlow(t) {
				relevant = true
			}
		case *ast.Ident:
			obj := info.Uses[n]
			if obj == nil {
				obj = info.Defs[n]
			}
			if obj != nil {
				relevant = r.objectRelevant(obj, usesFunc, usesIfaceMethod)
			}
		}
		return !relevant
	})
	return relevant
}

// objectRelevant reports whether using obj makes a body relevant by itself.
// The package's own functions are left to the fixed point; another
// package's function counts when it is a sink or has a summary (a package
// that declares sinks by shape, like an SDK's, has many functions that are
// neither).
func (r *Result) objectRelevant(obj types.Object, usesFunc func(*types.Func), usesIfaceMethod func(string)) bool {
	if v, ok := obj.(*types.Var); ok && knowledge.IsContext(v.Type()) {
		return true
	}
	pkg := obj.Pkg()
	if pkg == nil {
		return false
	}
	if judgedPackages[pkg.Path()] {
		return true
	}
	fn, ok := obj.(*types.Func)
	if !ok {
		return false
	}
	if r.Catalog.Lookup(fn) != nil {
		return true
	}
	if sig := fn.Signature(); sig.Recv() != nil && types.IsInterface(sig.Recv().Type()) {
		usesIfaceMethod(fn.Name())
	}
	if pkg == r.Pass.Pkg {
		usesFunc(fn.Origin())
		return false
	}
	return r.Pass.ImportObjectFact(fn.Origin(), new(Summary))
}

// signatureCarriesFlow reports whether a signature takes an error, a
// function or a channel, or returns a function or a channel.
func signatureCarriesFlow(sig *types.Signature) bool {
	for v := range sig.Params().Variables() {
		t := v.Type().Underlying()
		switch t.(type) {
		case *types.Signature, *types.Chan:
			return true
		}
		if knowledge.IsError(v.Type()) {
			return true
		}
	}
	for v := range sig.Results().Variables() {
		switch v.Type().Underlying().(type) {
		case *types.Signature, *types.Chan:
			return true
		}
	}
	return false
}

func isGeneric(fn *types.Func) bool {
	sig := fn.Signature()
	if sig.TypeParams().Len() > 0 {
		return true
	}
	if recv := sig.Recv(); recv != nil {
		t := recv.Type()
		if p, ok := t.(*types.Pointer); ok {
			t = p.Elem()
		}
		if named, ok := types.Unalias(t).(*types.Named); ok && named.TypeParams().Len() > 0 {
			return true
		}
	}
	return false
}
