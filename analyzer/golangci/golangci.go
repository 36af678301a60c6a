// Package golangci registers every deadlinelint analyzer as a golangci-lint
// v2 module plugin.
//
// Each analyzer is its own plugin, under its own name, so that users enable,
// disable and //nolint each rule by the name they read in its diagnostics
// (linters.enable: [nodeadline], //nolint:swallowcancel). The analyzers come
// from suite.Analyzers, the one table the command line tool uses too: a rule
// added there is a plugin here. Settings are the analyzer's flags, by flag
// name without the analyzer prefix:
//
//	linters:
//	  settings:
//	    custom:
//	      nodeadline:
//	        type: module
//	        settings:
//	          strict: true
//	          sinks: ["example.com/kv.Client.Fetch:0"]
//
// An unknown setting or a value the flag rejects is an error that names the
// linter and the key.
//
// Under golangci-lint a diagnostic's related information is dropped: golangci-lint
// reports each related position as an issue of its own, which a //nolint on the
// finding's line does not cover and --fix does not remove.
package golangci

import (
	"flag"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/golangci/plugin-module-register/register"
	"golang.org/x/tools/go/analysis"

	"github.com/deadlinelint/deadlinelint/analyzer/suite"
)

func init() {
	for _, a := range suite.Analyzers() {
		register.Plugin(a.Name, func(settings any) (register.LinterPlugin, error) {
			return newPlugin(a, settings)
		})
	}
}

type plugin struct{ analyzer *analysis.Analyzer }

// BuildAnalyzers returns the plugin's one analyzer; its prerequisites (the
// shared ctxflow core) come along through Requires.
func (p *plugin) BuildAnalyzers() ([]*analysis.Analyzer, error) {
	return []*analysis.Analyzer{p.analyzer}, nil
}

// GetLoadMode asks for type information: the rules and their facts need it.
func (p *plugin) GetLoadMode() string { return register.LoadModeTypesInfo }

// newPlugin applies the settings to a's flags, once: golangci-lint calls it
// once per configured linter, before any package is analyzed.
func newPlugin(a *analysis.Analyzer, settings any) (register.LinterPlugin, error) {
	values, err := register.DecodeSettings[map[string]any](settings)
	if err != nil {
		return nil, fmt.Errorf("deadlinelint: %s: settings must map setting names to values: %w", a.Name, err)
	}
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, key := range keys {
		f := a.Flags.Lookup(key)
		if f == nil {
			return nil, fmt.Errorf("deadlinelint: %s: unknown setting %q (known settings: %s)", a.Name, key, known(a))
		}
		text, err := flagText(f, values[key])
		if err != nil {
			return nil, fmt.Errorf("deadlinelint: %s: setting %q: %w", a.Name, key, err)
		}
		if err := a.Flags.Set(key, text); err != nil {
			return nil, fmt.Errorf("deadlinelint: %s: setting %q: bad value %q: %w", a.Name, key, text, err)
		}
	}
	return &plugin{analyzer: withoutRelated(a)}, nil
}

// withoutRelated returns a copy of a whose diagnostics carry no related
// information. The copy shares a's flags, requirements and fact types.
func withoutRelated(a *analysis.Analyzer) *analysis.Analyzer {
	w := *a
	w.Run = func(pass *analysis.Pass) (any, error) {
		p := *pass
		p.Report = func(d analysis.Diagnostic) {
			d.Related = nil
			pass.Report(d)
		}
		return a.Run(&p)
	}
	return &w
}

func known(a *analysis.Analyzer) string {
	var names []string
	a.Flags.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// flagText renders a YAML value as the text of flag f: a boolean flag takes
// true or false; other flags take a string, a number, or a list of strings
// (joined with commas, as the flag's comma-separated form).
func flagText(f *flag.Flag, v any) (string, error) {
	if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
		if v, ok := v.(bool); ok {
			return strconv.FormatBool(v), nil
		}
		return "", fmt.Errorf("want true or false, got %s", show(v))
	}
	switch v := v.(type) {
	case string:
		return v, nil
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), nil
	case []any:
		parts := make([]string, len(v))
		for i, e := range v {
			s, ok := e.(string)
			if !ok {
				return "", fmt.Errorf("list element %s is not a string", show(e))
			}
			parts[i] = s
		}
		return strings.Join(parts, ","), nil
	}
	return "", fmt.Errorf("want a string, a number or a list of strings, got %s", show(v))
}

// show renders a decoded YAML value for an error message.
func show(v any) string {
	switch v := v.(type) {
	case nil:
		return "no value"
	case string:
		return strconv.Quote(v)
	case []any:
		return "a list"
	case map[string]any:
		return "a map"
	}
	return fmt.Sprint(v)
}
