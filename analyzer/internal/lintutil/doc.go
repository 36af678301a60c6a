// Package lintutil holds the small pieces every rule shares that are not
// about contexts: documentation extraction and the README links.
package lintutil

import (
	"fmt"
	"go/parser"
	"go/token"
	"strings"
)

// RepoURL is where the README with each rule's section lives.
const RepoURL = "https://github.com/deadlinelint/deadlinelint"

// URL returns the README anchor of a rule.
func URL(name string) string { return RepoURL + "#" + name }

// ExtractDoc returns the section of a doc.go package comment that starts
// with "# Analyzer NAME", without that heading: the first line is the
// title, as x/tools' passes do. It panics on a malformed doc.go; tests catch
// that before any user does.
func ExtractDoc(content, name string) string {
	f, err := parser.ParseFile(token.NewFileSet(), "doc.go", content, parser.ParseComments|parser.PackageClauseOnly)
	if err != nil {
		panic(fmt.Sprintf("doc.go: %v", err))
	}
	if f.Doc == nil {
		panic("doc.go: no package comment")
	}
	text := f.Doc.Text()
	head := "# Analyzer " + name
	i := strings.Index(text, head+"\n")
	if i < 0 {
		panic(fmt.Sprintf("doc.go: no %q heading", head))
	}
	body := text[i+len(head)+1:]
	if j := strings.Index(body, "\n# "); j >= 0 {
		body = body[:j]
	}
	body = strings.TrimSpace(body)
	// "name: title" first line → "title"
	body = strings.TrimPrefix(body, name+": ")
	return body
}
