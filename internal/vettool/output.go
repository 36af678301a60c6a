package vettool

import (
	"archive/zip"
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"go/format"
	"go/token"
	"io"
	"os"
	"sort"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/unitchecker"

	"github.com/deadlinelint/deadlinelint/internal/textdiff"
)

// The JSON output is x/tools' (package ID → analyzer → diagnostics or
// {"error": …}), which go vet parses; each diagnostic also carries its
// documentation URL.
type jsonEdit struct {
	Filename string `json:"filename"`
	Start    int    `json:"start"`
	End      int    `json:"end"`
	New      string `json:"new"`
}

type jsonFix struct {
	Message string     `json:"message"`
	Edits   []jsonEdit `json:"edits"`
}

type jsonRelated struct {
	Posn    string `json:"posn"`
	End     string `json:"end"`
	Message string `json:"message"`
}

type jsonDiagnostic struct {
	Category string        `json:"category,omitempty"`
	Posn     string        `json:"posn"`
	End      string        `json:"end"`
	Message  string        `json:"message"`
	URL      string        `json:"url,omitempty"`
	Fixes    []jsonFix     `json:"suggested_fixes,omitempty"`
	Related  []jsonRelated `json:"related,omitempty"`
}

// output prints the unit's results as the flags ask and returns the exit
// code.
func output(unit *unitchecker.Config, l *loaded, results []result, o options, stdout, stderr io.Writer) int {
	if o.fix {
		return applyFixes(unit, l.fset, results, o.diff, stdout, stderr)
	}
	if o.json {
		tree := map[string]map[string]any{}
		for _, r := range results {
			var v any
			switch {
			case r.err != nil:
				v = struct {
					Err string `json:"error"`
				}{r.err.Error()}
			case len(r.diagnostics) > 0:
				v = jsonDiagnostics(l.fset, r)
			default:
				continue
			}
			if tree[unit.ID] == nil {
				tree[unit.ID] = map[string]any{}
			}
			tree[unit.ID][r.analyzer.Name] = v
		}
		if len(tree) > 0 {
			data, err := json.MarshalIndent(tree, "", "\t")
			if err != nil {
				fmt.Fprintln(stderr, "deadlinelint:", err)
				return 1
			}
			stdout.Write(append(data, '\n'))
		}
		return 0
	}
	code := 0
	for _, r := range results {
		if r.err != nil {
			fmt.Fprintf(stderr, "deadlinelint: %s: %v\n", r.analyzer.Name, r.err)
			code = 1
		}
		for _, d := range r.diagnostics {
			fmt.Fprintf(stderr, "%s: %s\n", l.fset.Position(d.Pos), d.Message)
			if o.context >= 0 {
				printContext(stderr, l.fset, d, o.context)
			}
			code = 1
		}
	}
	return code
}

func jsonDiagnostics(fset *token.FileSet, r result) []jsonDiagnostic {
	var out []jsonDiagnostic
	for _, d := range r.diagnostics {
		jd := jsonDiagnostic{
			Category: d.Category,
			Posn:     fset.Position(d.Pos).String(),
			End:      fset.Position(cmp.Or(d.End, d.Pos)).String(),
			Message:  d.Message,
			URL:      cmp.Or(d.URL, r.analyzer.URL),
		}
		for _, f := range d.SuggestedFixes {
			jf := jsonFix{Message: f.Message}
			for _, e := range f.TextEdits {
				jf.Edits = append(jf.Edits, jsonEdit{
					Filename: fset.Position(e.Pos).Filename,
					Start:    fset.Position(e.Pos).Offset,
					End:      fset.Position(cmp.Or(e.End, e.Pos)).Offset,
					New:      string(e.NewText),
				})
			}
			jd.Fixes = append(jd.Fixes, jf)
		}
		for _, rel := range d.Related {
			jd.Related = append(jd.Related, jsonRelated{
				Posn:    fset.Position(rel.Pos).String(),
				End:     fset.Position(cmp.Or(rel.End, rel.Pos)).String(),
				Message: rel.Message,
			})
		}
		out = append(out, jd)
	}
	return out
}

func printContext(w io.Writer, fset *token.FileSet, d analysis.Diagnostic, n int) {
	start, end := fset.Position(d.Pos), fset.Position(cmp.Or(d.End, d.Pos))
	data, err := os.ReadFile(start.Filename)
	if err != nil {
		return
	}
	lines := strings.Split(string(data), "\n")
	for i := start.Line - n; i <= end.Line+n; i++ {
		if 1 <= i && i <= len(lines) {
			fmt.Fprintf(w, "%d\t%s\n", i, lines[i-1])
		}
	}
}

// applyFixes applies the first suggested fix of each diagnostic, skipping a
// fix that overlaps one already taken. The fixed files go into the unit's
// fix archive (go vet -fix applies them once every package is done), or,
// with -diff, to stdout as unified diffs.
func applyFixes(unit *unitchecker.Config, fset *token.FileSet, results []result, diff bool, stdout, stderr io.Writer) int {
	type edit struct {
		start, end int
		text       string
	}
	byFile := map[string][]edit{}
	overlaps := func(file string, e edit) bool {
		for _, t := range byFile[file] {
			if e.start < t.end && t.start < e.end || e.start == t.start && e.end == t.end {
				return true
			}
		}
		return false
	}
	code := 0
	for _, r := range results {
		if r.err != nil {
			fmt.Fprintf(stderr, "deadlinelint: %s: %v\n", r.analyzer.Name, r.err)
			code = 1
		}
		for _, d := range r.diagnostics {
			if len(d.SuggestedFixes) == 0 {
				continue
			}
			var edits []struct {
				file string
				e    edit
			}
			ok := true
			for _, te := range d.SuggestedFixes[0].TextEdits {
				p := fset.Position(te.Pos)
				e := edit{p.Offset, fset.Position(cmp.Or(te.End, te.Pos)).Offset, string(te.NewText)}
				if overlaps(p.Filename, e) {
					ok = false
					break
				}
				edits = append(edits, struct {
					file string
					e    edit
				}{p.Filename, e})
			}
			if !ok {
				continue
			}
			for _, e := range edits {
				byFile[e.file] = append(byFile[e.file], e.e)
			}
		}
	}
	files := make([]string, 0, len(byFile))
	for f := range byFile {
		files = append(files, f)
	}
	sort.Strings(files)
	fixed := map[string][]byte{}
	for _, file := range files {
		old, err := os.ReadFile(file)
		if err != nil {
			fmt.Fprintln(stderr, "deadlinelint:", err)
			return 1
		}
		edits := byFile[file]
		sort.Slice(edits, func(i, j int) bool { return edits[i].start < edits[j].start })
		var b bytes.Buffer
		last := 0
		for _, e := range edits {
			if e.start < last || e.end > len(old) {
				fmt.Fprintf(stderr, "deadlinelint: %s: a suggested fix does not fit the file\n", file)
				return 1
			}
			b.Write(old[last:e.start])
			b.WriteString(e.text)
			last = e.end
		}
		b.Write(old[last:])
		updated := b.Bytes()
		if formatted, err := format.Source(old); err == nil && bytes.Equal(formatted, old) {
			if f, err := format.Source(updated); err == nil {
				updated = f
			}
		}
		fixed[file] = updated
		if diff {
			fmt.Fprint(stdout, textdiff.Unified(file, file, string(old), string(updated)))
		}
	}
	if diff || len(fixed) == 0 {
		return code
	}
	if unit.FixArchive == "" {
		for _, file := range files {
			if err := os.WriteFile(file, fixed[file], 0o644); err != nil {
				fmt.Fprintln(stderr, "deadlinelint:", err)
				return 1
			}
		}
		return code
	}
	f, err := os.Create(unit.FixArchive)
	if err != nil {
		fmt.Fprintln(stderr, "deadlinelint:", err)
		return 1
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	zw.SetComment(unit.ID)
	for _, file := range files {
		w, err := zw.Create(file)
		if err == nil {
			_, err = w.Write(fixed[file])
		}
		if err != nil {
			fmt.Fprintln(stderr, "deadlinelint:", err)
			return 1
		}
	}
	if err := zw.Close(); err != nil {
		fmt.Fprintln(stderr, "deadlinelint:", err)
		return 1
	}
	return code
}
