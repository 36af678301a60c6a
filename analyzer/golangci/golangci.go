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
	"sync"

	"github.com/golangci/plugin-module-register/register"
	"golang.org/x/tools/go/analysis"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/knowledge"
	"github.com/deadlinelint/deadlinelint/analyzer/suite"
)

func init() {
	for _, a := range suite.Analyzers() {
		name := a.Name
		register.Plugin(name, func(settings any) (register.LinterPlugin, error) {
			return newPlugin(name, settings)
		})
	}
}

// shared is the one suite every plugin's analyzer comes from: the rules of
// one golangci-lint run must share one core, so that it runs once per
// package and its facts have one owner. golangci-lint configures every
// plugin (New, then BuildAnalyzers) before it analyses anything, and the
// core reads its configuration only when it first runs.
var shared struct {
	sync.Mutex
	cfg       suite.Config
	analyzers map[string]*analysis.Analyzer
	sinks     []string // every sinks setting seen, in order
}

func sharedAnalyzer(name string) *analysis.Analyzer {
	if shared.analyzers == nil {
		shared.analyzers = map[string]*analysis.Analyzer{}
		for _, a := range suite.New(&shared.cfg) {
			shared.analyzers[a.Name] = withoutRelated(a)
		}
	}
	return shared.analyzers[name]
}

type plugin struct{ analyzer *analysis.Analyzer }

// BuildAnalyzers returns the plugin's one analyzer; its prerequisites (the
// shared ctxflow core) come along through Requires.
func (p *plugin) BuildAnalyzers() ([]*analysis.Analyzer, error) {
	return []*analysis.Analyzer{p.analyzer}, nil
}

// GetLoadMode asks for type information: the rules and their facts need it.
func (p *plugin) GetLoadMode() string { return register.LoadModeTypesInfo }

// newPlugin applies the settings to the shared analyzer's flags. The
// setting "sinks" extends the catalog of the shared core: it is accepted
// on every deadlinelint linter, and the lists of all of them add up.
func newPlugin(name string, settings any) (register.LinterPlugin, error) {
	values, err := register.DecodeSettings[map[string]any](settings)
	if err != nil {
		return nil, fmt.Errorf("deadlinelint: %s: settings must map setting names to values: %w", name, err)
	}
	shared.Lock()
	defer shared.Unlock()
	a := sharedAnalyzer(name)
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	// Check everything first, so that a bad setting changes nothing.
	texts := map[string]string{}
	for _, key := range keys {
		f := a.Flags.Lookup(key)
		if key == suite.SinksFlag {
			f = &flag.Flag{Name: key, Value: new(knowledge.List)}
		}
		if f == nil {
			return nil, fmt.Errorf("deadlinelint: %s: unknown setting %q (known settings: %s)", name, key, known(a))
		}
		text, err := flagText(f, values[key])
		if err != nil {
			return nil, fmt.Errorf("deadlinelint: %s: setting %q: %w", name, key, err)
		}
		if err := f.Value.Set(text); err != nil {
			return nil, fmt.Errorf("deadlinelint: %s: setting %q: bad value %q: %w", name, key, text, err)
		}
		texts[key] = text
	}
	for _, key := range keys {
		if key == suite.SinksFlag {
			if texts[key] != "" {
				shared.sinks = append(shared.sinks, texts[key])
			}
			if err := shared.cfg.Core.Sinks.Set(strings.Join(shared.sinks, ",")); err != nil {
				return nil, fmt.Errorf("deadlinelint: %s: setting %q: %w", name, key, err)
			}
			continue
		}
		if err := a.Flags.Set(key, texts[key]); err != nil {
			return nil, fmt.Errorf("deadlinelint: %s: setting %q: bad value %q: %w", name, key, texts[key], err)
		}
	}
	return &plugin{analyzer: a}, nil
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
	names := []string{suite.SinksFlag}
	a.Flags.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
	sort.Strings(names)
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
