package lintutil

import (
	"fmt"
	"go/ast"
	"go/token"
	"regexp"
	"runtime/debug"
	"strings"

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
// that escapes every per-function Guard becomes an error naming the
// analyzer and package (see guard.go), never a crash of the whole run.
func Run(name string, run func(*analysis.Pass) (any, error)) func(*analysis.Pass) (any, error) {
	return func(pass *analysis.Pass) (res any, err error) {
		defer func() {
			if p := recover(); p != nil {
				res, err = nil, fmt.Errorf("internal error in %s on package %s (please report it at %s/issues): %v\n%s", name, pass.Pkg.Path(), RepoURL, p, firstLines(string(debug.Stack()), 12))
			}
		}()
		dirs, problems := parseDirectives(pass, name)
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
		// One finding per position and rule: two checks of a rule that see
		// the same fault from two sides (a Done case and an Err() test of
		// one context) would otherwise report it twice. The first, from
		// the check that runs first, stays.
		reportedAt := map[token.Pos]bool{}
		pass.Report = func(d analysis.Diagnostic) {
			if reportedAt[d.Pos] {
				return
			}
			reportedAt[d.Pos] = true
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
		for _, d := range problems {
			emit(d)
		}
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

// Rules lists every rule's name, for the check of directive names (the
// suite's test keeps it equal to the analyzers it registers).
var Rules = []string{"nodeadline", "swallowcancel", "sharedeadline", "cleanupctx", "timeoutleak", "uncancellablewait"}

// spacedDirective matches a comment that was meant as a directive but, with
// a space after the slashes, is a plain comment to Go and to us.
var spacedDirective = regexp.MustCompile(`^//\s+deadlinelint:ignore\b`)

// parseDirectives returns the directives that name the rule, and diagnostics
// about directives that cannot work: a name that is no rule (reported by
// the rule it most resembles, or by the first rule when it resembles none)
// and a directive written with a space after the slashes (reported by each
// rule it names).
func parseDirectives(pass *analysis.Pass, name string) (dirs []*directive, problems []analysis.Diagnostic) {
	for _, f := range pass.Files {
		var fileDirs []*directive
		tf := pass.Fset.File(f.FileStart)
		if tf == nil {
			continue
		}
		for _, group := range f.Comments {
			for _, c := range group.List {
				if spacedDirective.MatchString(c.Text) {
					fields := strings.Fields(strings.TrimPrefix(c.Text, "//"))
					if len(fields) > 1 && (contains(strings.Split(fields[1], ","), name) || name == Rules[0] && !mentionsRule(fields[1])) {
						problems = append(problems, analysis.Diagnostic{Pos: c.Pos(), End: c.End(), Category: "directive",
							Message: "this looks like a deadlinelint:ignore directive, but the space after // makes it a plain comment that suppresses nothing: write //deadlinelint:ignore",
							SuggestedFixes: []analysis.SuggestedFix{{Message: "Remove the space after //",
								TextEdits: []analysis.TextEdit{{Pos: c.Pos(), End: c.End(), NewText: []byte("//" + strings.TrimLeft(strings.TrimPrefix(c.Text, "//"), " \t"))}}}}})
					}
					continue
				}
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
				for _, n := range names {
					if contains(Rules, n) || closestRule(n) != name {
						continue
					}
					msg := fmt.Sprintf("deadlinelint:ignore names %q, which is no deadlinelint rule, so it suppresses nothing", n)
					if closest := closestRule(n); closest != "" && similar(n, closest) {
						msg += fmt.Sprintf(": did you mean %s?", closest)
					} else {
						msg += ": rules are " + strings.Join(Rules, ", ")
					}
					problems = append(problems, analysis.Diagnostic{Pos: c.Pos(), End: c.End(), Category: "directive", Message: msg})
				}
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
		dirs = append(dirs, fileDirs...)
	}
	return dirs, problems
}

// mentionsRule reports whether a comma-separated list names a rule, or
// something close to one.
func mentionsRule(list string) bool {
	for _, n := range strings.Split(list, ",") {
		if contains(Rules, n) || similar(n, closestRule(n)) {
			return true
		}
	}
	return false
}

// closestRule returns the rule whose name is closest to n by edit
// distance, or the first rule when none is similar: the rule that reports
// a directive naming n.
func closestRule(n string) string {
	best, bestDist := Rules[0], -1
	for _, r := range Rules {
		if d := editDistance(n, r); bestDist < 0 || d < bestDist {
			best, bestDist = r, d
		}
	}
	if !similar(n, best) {
		return Rules[0]
	}
	return best
}

// similar: within a third of the rule's length in edits (typos, a missing
// or doubled letter), never for an empty name.
func similar(n, rule string) bool {
	return n != "" && editDistance(n, rule) <= len(rule)/3
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
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
