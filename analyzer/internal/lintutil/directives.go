package lintutil

import (
	"fmt"
	"go/ast"
	"go/token"
	"runtime/debug"
	"strings"
	"testing"

	"golang.org/x/tools/go/analysis"
)

// DirectivePrefix starts a suppression comment:
//
//	//deadlinelint:ignore nodeadline,swallowcancel the reason, required
//
// A directive at the end of a line covers that line. A directive on a line of
// its own covers the statement or declaration that starts on the next line
// (all of it, however many lines). A directive in a function's doc comment
// covers the whole function. It works in every driver because each rule's run
// goes through Run.
const DirectivePrefix = "//deadlinelint:ignore"

type directive struct {
	pos        token.Pos
	end        token.Pos
	names      []string
	reason     string
	from, to   int // covered lines
	file       *token.File
	used       bool
	checkUnuse bool
}

// Run wraps every rule's run function. Diagnostics covered by a directive
// naming the analyzer are dropped; a directive without a reason, and (in
// files the rules look at) one that suppressed nothing, is reported. A panic
// becomes an error naming the analyzer and package, so the user gets a clear
// message instead of a crash of the whole run; under `go test` panics are left
// alone so that they fail loudly.
func Run(name string, run func(*analysis.Pass) (any, error)) func(*analysis.Pass) (any, error) {
	return func(pass *analysis.Pass) (res any, err error) {
		if !testing.Testing() {
			defer func() {
				if p := recover(); p != nil {
					res, err = nil, fmt.Errorf("internal error in %s on package %s (please report it at %s/issues): %v\n%s", name, pass.Pkg.Path(), RepoURL, p, debug.Stack())
				}
			}()
		}
		dirs := parseDirectives(pass, name)
		orig := pass.Report
		defer func() { pass.Report = orig }()
		// Every diagnostic links to its rule's README section. Left empty, a
		// driver would resolve "#"+Category against the analyzer's URL, an
		// anchor the README does not have.
		emit := func(d analysis.Diagnostic) {
			if d.URL == "" {
				d.URL = URL(name)
			}
			orig(d)
		}
		pass.Report = func(d analysis.Diagnostic) {
			for _, dir := range dirs {
				if dir.covers(pass.Fset, d.Pos) {
					dir.used = true
					if dir.reason != "" {
						return
					}
				}
			}
			emit(d)
		}
		res, err = run(pass)
		for _, dir := range dirs {
			switch {
			case dir.reason == "":
				emit(analysis.Diagnostic{Pos: dir.pos, End: dir.end, Category: "directive",
					Message: "deadlinelint:ignore directive has no reason, so it suppresses nothing: say why after the analyzer names"})
			case !dir.used && dir.checkUnuse:
				emit(analysis.Diagnostic{Pos: dir.pos, End: dir.end, Category: "directive",
					Message: "deadlinelint:ignore directive for " + name + " suppresses nothing: remove it (a stale suppression hides the next real finding)",
					SuggestedFixes: []analysis.SuggestedFix{{Message: "Remove the directive",
						TextEdits: []analysis.TextEdit{{Pos: dir.pos, End: dir.end}}}}})
			}
		}
		return res, err
	}
}

func (d *directive) covers(fset *token.FileSet, pos token.Pos) bool {
	if !pos.IsValid() || fset.File(pos) != d.file {
		return false
	}
	line := d.file.Line(pos)
	return d.from <= line && line <= d.to
}

func parseDirectives(pass *analysis.Pass, name string) []*directive {
	var out []*directive
	for _, f := range pass.Files {
		var fileDirs []*directive
		tf := pass.Fset.File(f.FileStart)
		if tf == nil {
			continue
		}
		for _, group := range f.Comments {
			for _, c := range group.List {
				if !strings.HasPrefix(c.Text, DirectivePrefix) {
					continue
				}
				rest := strings.TrimPrefix(c.Text, DirectivePrefix)
				if rest != "" && rest[0] != ' ' && rest[0] != '\t' {
					continue // //deadlinelint:ignorefoo
				}
				fields := strings.Fields(rest)
				if len(fields) == 0 {
					continue
				}
				names := strings.Split(fields[0], ",")
				if !contains(names, name) {
					continue
				}
				line := tf.Line(c.Pos())
				fileDirs = append(fileDirs, &directive{
					pos: c.Pos(), end: c.End(), names: names, file: tf,
					reason: strings.Join(fields[1:], " "), from: line, to: line,
					checkUnuse: !strings.HasSuffix(tf.Name(), "_test.go") && !ast.IsGenerated(f),
				})
			}
		}
		if len(fileDirs) == 0 {
			continue
		}
		extendToNodes(tf, f, fileDirs)
		out = append(out, fileDirs...)
	}
	return out
}

// extendToNodes widens a directive that stands on its own line to the
// statement or declaration starting on the next line, and one in a function's
// doc comment to the whole function.
func extendToNodes(tf *token.File, f *ast.File, dirs []*directive) {
	ownLine := map[*directive]bool{}
	for _, d := range dirs {
		ownLine[d] = !codeBefore(tf, f, d)
	}
	ast.Inspect(f, func(n ast.Node) bool {
		if n == nil {
			return false
		}
		switch n := n.(type) {
		case *ast.FuncDecl:
			if n.Doc != nil {
				for _, d := range dirs {
					if n.Doc.Pos() <= d.pos && d.pos < n.Doc.End() {
						d.to = max(d.to, tf.Line(n.End()))
					}
				}
			}
		case ast.Stmt, ast.Decl, ast.Spec:
			start := tf.Line(n.Pos())
			for _, d := range dirs {
				if ownLine[d] && start == d.from+1 {
					d.to = max(d.to, tf.Line(n.End()))
				}
			}
		}
		return true
	})
}

// codeBefore reports whether the directive's line has code before the comment.
func codeBefore(tf *token.File, f *ast.File, d *directive) bool {
	found := false
	ast.Inspect(f, func(n ast.Node) bool {
		if n == nil || found {
			return false
		}
		if _, isFile := n.(*ast.File); isFile {
			return true
		}
		if n.End() <= d.pos && tf.Line(n.End()) == d.from {
			if _, isComment := n.(*ast.CommentGroup); !isComment {
				found = true
			}
		}
		return n.Pos() < d.pos
	})
	return found
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
