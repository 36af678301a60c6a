package cli

import (
	"bytes"
	"fmt"
	"go/format"
	"io"
	"os"
	"sort"

	"github.com/deadlinelint/deadlinelint/internal/textdiff"
)

// applyFixes applies the first suggested fix of every finding that has one,
// file by file. A fix whose edits overlap an edit already taken is skipped
// (its finding stays). It returns the findings that remain: those without
// a fix and those whose fix was skipped. With diff set, nothing is written:
// a unified diff of every changed file goes to w instead.
func applyFixes(fs []Finding, diff bool, w io.Writer) (remaining []Finding, err error) {
	type span struct{ start, end int }
	byFile := map[string][]Edit{}
	taken := map[string][]span{}
	overlaps := func(file string, e Edit) bool {
		for _, s := range taken[file] {
			if e.Start < s.end && s.start < e.End || e.Start == e.End && e.Start == s.start && s.start == s.end {
				return true
			}
		}
		return false
	}
	for _, f := range fs {
		if len(f.Fixes) == 0 {
			remaining = append(remaining, f)
			continue
		}
		fix := f.Fixes[0]
		ok := true
		for _, e := range fix.Edits {
			if overlaps(e.abs, e) {
				ok = false
				break
			}
		}
		if !ok {
			remaining = append(remaining, f)
			continue
		}
		for _, e := range fix.Edits {
			byFile[e.abs] = append(byFile[e.abs], e)
			taken[e.abs] = append(taken[e.abs], span{e.Start, e.End})
		}
	}
	files := make([]string, 0, len(byFile))
	for file := range byFile {
		files = append(files, file)
	}
	sort.Strings(files)
	for _, file := range files {
		old, err := os.ReadFile(file)
		if err != nil {
			return nil, err
		}
		edits := byFile[file]
		sort.SliceStable(edits, func(i, j int) bool { return edits[i].Start < edits[j].Start })
		var b bytes.Buffer
		last := 0
		for _, e := range edits {
			if e.Start < last || e.End > len(old) {
				return nil, fmt.Errorf("%s: a suggested fix does not fit the file (was it edited during the run?)", file)
			}
			b.Write(old[last:e.Start])
			b.WriteString(e.New)
			last = e.End
		}
		b.Write(old[last:])
		updated := b.Bytes()
		// Keep gofmt'ed files gofmt'ed; leave others as the edits made them.
		if formatted, err := format.Source(old); err == nil && bytes.Equal(formatted, old) {
			if f, err := format.Source(updated); err == nil {
				updated = f
			}
		}
		if diff {
			name := edits[0].File
			fmt.Fprint(w, textdiff.Unified("a/"+name, "b/"+name, string(old), string(updated)))
			continue
		}
		info, err := os.Stat(file)
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(file, updated, info.Mode().Perm()); err != nil {
			return nil, err
		}
	}
	return remaining, nil
}
