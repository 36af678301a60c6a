// Package golangci registers every deadlinelint analyzer as a golangci-lint
// v2 module plugin.
//
// Each analyzer is its own plugin, under its own name, so that users enable,
// disable and //nolint each rule by the name they read in its diagnostics
// (linters.enable: [nodeadline], //nolint:swallowcancel). Settings are the
// analyzer's flags, by flag name without the analyzer prefix:
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

func newPlugin(a *analysis.Analyzer, settings any) (register.LinterPlugin, error) {
	values, err := register.DecodeSettings[map[string]any](settings)
	if err != nil {
		return nil, fmt.Errorf("deadlinelint: %s: settings: %w", a.Name, err)
	}
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, key := range keys {
		if a.Flags.Lookup(key) == nil {
			return nil, fmt.Errorf("deadlinelint: %s: unknown setting %q (known settings: %s)", a.Name, key, known(a))
		}
		text, err := flagText(values[key])
		if err != nil {
			return nil, fmt.Errorf("deadlinelint: %s: setting %q: %w", a.Name, key, err)
		}
		if err := a.Flags.Set(key, text); err != nil {
			return nil, fmt.Errorf("deadlinelint: %s: setting %q: %w", a.Name, key, err)
		}
	}
	return &plugin{analyzer: a}, nil
}

func known(a *analysis.Analyzer) string {
	var names []string
	a.Flags.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// flagText renders a YAML/JSON value as flag text: booleans and numbers as
// written, strings as they are, lists of strings comma-separated.
func flagText(v any) (string, error) {
	switch v := v.(type) {
	case bool:
		return strconv.FormatBool(v), nil
	case string:
		return v, nil
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), nil
	case []any:
		parts := make([]string, len(v))
		for i, e := range v {
			s, ok := e.(string)
			if !ok {
				return "", fmt.Errorf("list element %v is not a string", e)
			}
			parts[i] = s
		}
		return strings.Join(parts, ","), nil
	}
	return "", fmt.Errorf("value %v (%T) is not a boolean, number, string or list of strings", v, v)
}
