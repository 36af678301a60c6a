package cli

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/deadlinelint/deadlinelint/analyzer/suite"
)

// usage prints the command's help: what it does, its rules with one line
// each and their flags, and the command's own flags.
func usage(w io.Writer, analyzers []*analysis.Analyzer) {
	fmt.Fprint(w, `deadlinelint checks that every wait on the outside world has a deadline,
that cancellation is never swallowed, and that the stages of one job share
one deadline.

Usage:
	deadlinelint [flags] [packages]     lint packages (default ./...)
	deadlinelint help [rule]            this help, or a rule's documentation
	deadlinelint lsp                    a language server for editors (LSP over stdio)
	go vet -vettool=$(which deadlinelint) [flags] [packages]

Rules (all run by default; -RULE runs only the named ones, -RULE=false all but them):
`)
	for _, a := range analyzers {
		title, _, _ := strings.Cut(a.Doc, "\n")
		fmt.Fprintf(w, "\t%-18s %s\n", a.Name, title)
		a.Flags.VisitAll(func(f *flag.Flag) {
			fmt.Fprintf(w, "\t  -%s.%s\n\t\t%s (default %q)\n", a.Name, f.Name, f.Usage, f.DefValue)
		})
	}
	fmt.Fprint(w, `
Flags:
	-sinks list        extra calls that wait, for every rule: pkgpath.Func:N or
	                   pkgpath.Type.Method:N (N = context argument index, or none)
	-format name       text (default), json, sarif or github
	-json              same as -format=json
	-fix               apply the first suggested fix of each finding
	-diff              with -fix, print the fixes as a diff instead of writing them
	-baseline file     report only findings not recorded in file
	-write-baseline file
	                   record the current findings in file
	-tags list, -mod mode, -modfile file, -C dir
	                   as for go build
	-v                 print the go vet command that runs the analysis

Output: path:line:col: message (rule), paths relative to the module root.
Exit status: 0 no findings, 1 findings, 2 a package could not be loaded or
analysed, or bad usage. Documentation: https://github.com/deadlinelint/deadlinelint
`)
}

// help answers `deadlinelint help [rule…]`.
func help(args []string, stdout, stderr io.Writer) int {
	analyzers := suite.New(new(suite.Config))
	if len(args) == 0 {
		usage(stdout, analyzers)
		return ExitClean
	}
	code := ExitClean
	for _, name := range args {
		var found *analysis.Analyzer
		for _, a := range analyzers {
			if a.Name == name {
				found = a
			}
		}
		if found == nil {
			fmt.Fprintf(stderr, "deadlinelint: no rule named %q (rules: %s)\n", name, ruleNames(analyzers))
			code = ExitError
			continue
		}
		fmt.Fprintf(stdout, "%s: %s\n", found.Name, found.Doc)
		found.Flags.VisitAll(func(f *flag.Flag) {
			fmt.Fprintf(stdout, "\n  -%s.%s\n\t%s (default %q)\n", found.Name, f.Name, f.Usage, f.DefValue)
		})
		fmt.Fprintf(stdout, "\nMore: %s\n", found.URL)
	}
	return code
}

func ruleNames(analyzers []*analysis.Analyzer) string {
	var names []string
	for _, a := range analyzers {
		names = append(names, a.Name)
	}
	return strings.Join(names, ", ")
}
