package cli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// A Finding is one diagnostic, as every output format reports it.
type Finding struct {
	Rule      string    `json:"rule"`
	Category  string    `json:"category,omitempty"`
	File      string    `json:"file"` // relative to the module root, slash-separated
	Line      int       `json:"line"`
	Column    int       `json:"column"` // in bytes, as go/token counts
	EndLine   int       `json:"end_line,omitempty"`
	EndColumn int       `json:"end_column,omitempty"`
	Message   string    `json:"message"`
	URL       string    `json:"url"`
	Related   []Related `json:"related,omitempty"`
	Fixes     []Fix     `json:"fixes,omitempty"`

	abs string // absolute path of File
}

// Related is a position a finding points to besides its own.
type Related struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Column  int    `json:"column"`
	Message string `json:"message"`

	abs string
}

// Abs returns the absolute path of the related position's file.
func (r Related) Abs() string { return r.abs }

// Abs returns the absolute path of the edited file.
func (e Edit) Abs() string { return e.abs }

// Abs returns the absolute path of the finding's file.
func (f Finding) Abs() string { return f.abs }

// A Fix is a suggested fix: edits that together remove the finding.
type Fix struct {
	Message string `json:"message"`
	Edits   []Edit `json:"edits"`
}

// An Edit replaces bytes [Start, End) of File with New.
type Edit struct {
	File  string `json:"file"` // relative to the module root
	Start int    `json:"start"`
	End   int    `json:"end"`
	New   string `json:"new"`

	abs string
}

// A PackageError is a package that could not be loaded or analysed.
type PackageError struct {
	Package string `json:"package,omitempty"`
	Message string `json:"message"`
}

// vetJSON is one diagnostic in the -json output of a vet tool.
type vetJSON struct {
	Category string `json:"category"`
	Posn     string `json:"posn"`
	End      string `json:"end"`
	Message  string `json:"message"`
	Fixes    []struct {
		Message string `json:"message"`
		Edits   []struct {
			Filename string `json:"filename"`
			Start    int    `json:"start"`
			End      int    `json:"end"`
			New      string `json:"new"`
		} `json:"edits"`
	} `json:"suggested_fixes"`
	Related []struct {
		Posn    string `json:"posn"`
		Message string `json:"message"`
	} `json:"related"`
}

// parseVetJSON reads the stream of JSON trees go vet -json prints, one per
// package (package ID → analyzer → diagnostics, or {"error": …}). urls maps
// an analyzer to its documentation.
func parseVetJSON(data []byte, root string, urls map[string]string) ([]Finding, []PackageError, error) {
	var (
		findings []Finding
		errs     []PackageError
	)
	dec := json.NewDecoder(bytes.NewReader(data))
	for {
		var tree map[string]map[string]json.RawMessage
		if err := dec.Decode(&tree); err == io.EOF {
			break
		} else if err != nil {
			return nil, nil, fmt.Errorf("reading go vet -json output: %v", err)
		}
		for pkg, byAnalyzer := range tree {
			for analyzer, raw := range byAnalyzer {
				var failed struct {
					Error string `json:"error"`
				}
				if json.Unmarshal(raw, &failed) == nil && failed.Error != "" {
					// Every rule fails alike when the shared core does:
					// one error per package and message.
					e := PackageError{Package: packageOfID(pkg), Message: failed.Error}
					if !slices.Contains(errs, e) {
						errs = append(errs, e)
					}
					continue
				}
				var diags []vetJSON
				if err := json.Unmarshal(raw, &diags); err != nil {
					return nil, nil, fmt.Errorf("reading go vet -json output for %s: %v", pkg, err)
				}
				for _, d := range diags {
					findings = append(findings, newFinding(analyzer, d, root, urls[analyzer]))
				}
			}
		}
	}
	return findings, errs, nil
}

// packageOfID turns a vet package ID ("p [p.test]") into its import path.
func packageOfID(id string) string {
	path, _, _ := strings.Cut(id, " ")
	return path
}

func newFinding(rule string, d vetJSON, root, url string) Finding {
	file, line, col := splitPosn(d.Posn)
	_, endLine, endCol := splitPosn(d.End)
	f := Finding{
		Rule: rule, Category: d.Category, File: relTo(root, file), abs: file,
		Line: line, Column: col, EndLine: endLine, EndColumn: endCol,
		Message: d.Message, URL: url,
	}
	for _, r := range d.Related {
		rf, rl, rc := splitPosn(r.Posn)
		f.Related = append(f.Related, Related{File: relTo(root, rf), abs: rf, Line: rl, Column: rc, Message: r.Message})
	}
	for _, fx := range d.Fixes {
		fix := Fix{Message: fx.Message}
		for _, e := range fx.Edits {
			fix.Edits = append(fix.Edits, Edit{File: relTo(root, e.Filename), abs: e.Filename, Start: e.Start, End: e.End, New: e.New})
		}
		f.Fixes = append(f.Fixes, fix)
	}
	return f
}

// splitPosn splits "file:line:col" (file may itself contain colons).
func splitPosn(posn string) (file string, line, col int) {
	i := strings.LastIndex(posn, ":")
	j := strings.LastIndex(posn[:max(i, 0)], ":")
	if i < 0 || j < 0 {
		return posn, 0, 0
	}
	line, err1 := strconv.Atoi(posn[j+1 : i])
	col, err2 := strconv.Atoi(posn[i+1:])
	if err1 != nil || err2 != nil {
		return posn, 0, 0
	}
	return posn[:j], line, col
}

// relTo makes path relative to root when it is inside it; paths elsewhere
// (a dependency, the module cache) stay absolute.
func relTo(root, path string) string {
	if root == "" || path == "" {
		return filepath.ToSlash(path)
	}
	rel, err := filepath.Rel(root, path)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return filepath.ToSlash(path)
	}
	return filepath.ToSlash(rel)
}

// normalize sorts findings by position and drops duplicates: a package with
// tests is analysed again as part of its test variant, with the same
// findings in its non-test files.
func normalize(fs []Finding) []Finding {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Column != b.Column {
			return a.Column < b.Column
		}
		if a.Rule != b.Rule {
			return a.Rule < b.Rule
		}
		return a.Message < b.Message
	})
	out := fs[:0]
	for i, f := range fs {
		if i > 0 {
			p := out[len(out)-1]
			if p.File == f.File && p.Line == f.Line && p.Column == f.Column && p.Rule == f.Rule && p.Message == f.Message {
				continue
			}
		}
		out = append(out, f)
	}
	return out
}

// sourceLines caches the lines of the files findings point into.
type sourceLines map[string][]string

func (s sourceLines) line(abs string, n int) string {
	lines, ok := s[abs]
	if !ok {
		if f, err := os.Open(abs); err == nil {
			sc := bufio.NewScanner(f)
			sc.Buffer(make([]byte, 1<<20), 1<<24)
			for sc.Scan() {
				lines = append(lines, sc.Text())
			}
			f.Close()
		}
		s[abs] = lines
	}
	if n < 1 || n > len(lines) {
		return ""
	}
	return lines[n-1]
}

// runeColumn converts a 1-based byte column on a line to a 1-based column in
// Unicode code points (what SARIF and editors count).
func (s sourceLines) runeColumn(abs string, line, byteCol int) int {
	text := s.line(abs, line)
	if byteCol < 1 || byteCol-1 > len(text) {
		return byteCol
	}
	return utf8.RuneCountInString(text[:byteCol-1]) + 1
}
