package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"strings"
)

// The output formats; see the README's "Output" section.
var formats = []string{"text", "json", "sarif", "github"}

// report writes findings and package errors in the chosen format. Package
// errors always go to stderr as well (in text), so that a run that could not
// analyse everything says so whatever the format.
func report(w io.Writer, format string, fs []Finding, errs []PackageError, meta runMeta) error {
	switch format {
	case "json":
		return writeJSON(w, fs, errs)
	case "sarif":
		return writeSARIF(w, fs, errs, meta)
	case "github":
		writeGitHub(w, fs)
		return nil
	}
	writeText(w, fs)
	return nil
}

// runMeta is what the machine-readable formats say about the run.
type runMeta struct {
	root    string // module root (absolute)
	version string
	rules   []ruleMeta
	lines   sourceLines
}

type ruleMeta struct {
	name, title, doc, url string
}

// writeText prints `path:line:col: message (rule)`, as staticcheck and
// golangci-lint do, with related positions indented below.
func writeText(w io.Writer, fs []Finding) {
	for _, f := range fs {
		fmt.Fprintf(w, "%s:%d:%d: %s (%s)\n", f.File, f.Line, f.Column, f.Message, f.Rule)
		for _, r := range f.Related {
			fmt.Fprintf(w, "\t%s:%d:%d: %s\n", r.File, r.Line, r.Column, r.Message)
		}
	}
}

func writeJSON(w io.Writer, fs []Finding, errs []PackageError) error {
	out := struct {
		Findings []Finding      `json:"findings"`
		Errors   []PackageError `json:"errors"`
	}{fs, errs}
	if out.Findings == nil {
		out.Findings = []Finding{}
	}
	if out.Errors == nil {
		out.Errors = []PackageError{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}

// writeGitHub prints workflow commands that GitHub Actions turns into
// annotations on the pull request's diff.
func writeGitHub(w io.Writer, fs []Finding) {
	for _, f := range fs {
		props := fmt.Sprintf("file=%s,line=%d,col=%d", ghProperty(f.File), f.Line, f.Column)
		if f.EndLine > 0 {
			props += fmt.Sprintf(",endLine=%d,endColumn=%d", f.EndLine, f.EndColumn)
		}
		props += ",title=" + ghProperty(f.Rule)
		fmt.Fprintf(w, "::error %s::%s\n", props, ghData(f.Message+" ("+f.Rule+": "+f.URL+")"))
	}
}

// ghData and ghProperty escape as the workflow-command parser expects.
func ghData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

func ghProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

// writeSARIF writes a SARIF 2.1.0 log that code-scanning uploads accept:
// one run, the rules with their help URIs, results with locations relative
// to %SRCROOT% (the module root), and package errors as tool notifications.
func writeSARIF(w io.Writer, fs []Finding, errs []PackageError, meta runMeta) error {
	type text struct {
		Text string `json:"text"`
	}
	type region struct {
		StartLine   int `json:"startLine"`
		StartColumn int `json:"startColumn,omitempty"`
		EndLine     int `json:"endLine,omitempty"`
		EndColumn   int `json:"endColumn,omitempty"`
	}
	type artifact struct {
		URI       string `json:"uri"`
		URIBaseID string `json:"uriBaseId,omitempty"`
	}
	type physical struct {
		ArtifactLocation artifact `json:"artifactLocation"`
		Region           region   `json:"region"`
	}
	type location struct {
		ID               int      `json:"id,omitempty"`
		PhysicalLocation physical `json:"physicalLocation"`
		Message          *text    `json:"message,omitempty"`
	}
	type rule struct {
		ID               string `json:"id"`
		Name             string `json:"name"`
		ShortDescription text   `json:"shortDescription"`
		FullDescription  text   `json:"fullDescription"`
		HelpURI          string `json:"helpUri"`
		Help             text   `json:"help"`
		Properties       struct {
			Tags []string `json:"tags"`
		} `json:"properties"`
	}
	type result struct {
		RuleID           string     `json:"ruleId"`
		RuleIndex        int        `json:"ruleIndex"`
		Level            string     `json:"level"`
		Message          text       `json:"message"`
		Locations        []location `json:"locations"`
		RelatedLocations []location `json:"relatedLocations,omitempty"`
	}
	type notification struct {
		Level   string `json:"level"`
		Message text   `json:"message"`
	}
	loc := func(file string, line, col, endLine, endCol int) physical {
		a := artifact{URI: file}
		abs := file
		if !filepath.IsAbs(filepath.FromSlash(file)) {
			a.URIBaseID = "SRCROOT"
			abs = filepath.Join(meta.root, filepath.FromSlash(file))
		} else {
			a.URI = (&url.URL{Scheme: "file", Path: file}).String()
		}
		r := region{StartLine: line, StartColumn: meta.lines.runeColumn(abs, line, col)}
		if endLine > 0 {
			r.EndLine, r.EndColumn = endLine, meta.lines.runeColumn(abs, endLine, endCol)
		}
		return physical{ArtifactLocation: a, Region: r}
	}
	var rules []rule
	index := map[string]int{}
	for _, m := range meta.rules {
		r := rule{ID: m.name, Name: m.name, ShortDescription: text{m.title}, FullDescription: text{m.doc}, HelpURI: m.url, Help: text{m.title + ": " + m.url}}
		r.Properties.Tags = []string{"reliability", "context", "deadline"}
		index[m.name] = len(rules)
		rules = append(rules, r)
	}
	results := []result{}
	for _, f := range fs {
		res := result{RuleID: f.Rule, RuleIndex: index[f.Rule], Level: "warning", Message: text{f.Message},
			Locations: []location{{PhysicalLocation: loc(f.File, f.Line, f.Column, f.EndLine, f.EndColumn)}}}
		for i, r := range f.Related {
			res.RelatedLocations = append(res.RelatedLocations, location{ID: i + 1, PhysicalLocation: loc(r.File, r.Line, r.Column, 0, 0), Message: &text{r.Message}})
		}
		results = append(results, res)
	}
	notes := []notification{}
	for _, e := range errs {
		notes = append(notes, notification{Level: "error", Message: text{strings.TrimSpace(e.Package + ": " + e.Message)}})
	}
	root := (&url.URL{Scheme: "file", Path: filepath.ToSlash(meta.root) + "/"}).String()
	log := map[string]any{
		"version": "2.1.0",
		"$schema": "https://json.schemastore.org/sarif-2.1.0.json",
		"runs": []any{map[string]any{
			"tool": map[string]any{"driver": map[string]any{
				"name":           "deadlinelint",
				"informationUri": "https://github.com/deadlinelint/deadlinelint",
				"version":        meta.version,
				"rules":          rules,
			}},
			"originalUriBaseIds": map[string]any{"SRCROOT": map[string]string{"uri": root}},
			"columnKind":         "unicodeCodePoints",
			"results":            results,
			"invocations": []any{map[string]any{
				"executionSuccessful":        len(errs) == 0,
				"toolExecutionNotifications": notes,
			}},
		}},
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(log)
}
