package golangci_test

import (
	"flag"
	"strings"
	"testing"

	"github.com/golangci/plugin-module-register/register"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/deadlinelint/deadlinelint/analyzer/golangci"
	"github.com/deadlinelint/deadlinelint/analyzer/internal/linttest"
	"github.com/deadlinelint/deadlinelint/analyzer/suite"
	"github.com/deadlinelint/deadlinelint/analyzer/timeoutleak"
)

// build returns the analyzer golangci-lint would get from the named plugin.
func build(t *testing.T, name string, settings any) *analysis.Analyzer {
	t.Helper()
	newPlugin, err := register.GetPlugin(name)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	p, err := newPlugin(settings)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if p.GetLoadMode() != register.LoadModeTypesInfo {
		t.Errorf("%s: load mode %q, want %q", name, p.GetLoadMode(), register.LoadModeTypesInfo)
	}
	got, err := p.BuildAnalyzers()
	if err != nil || len(got) != 1 {
		t.Fatalf("%s: BuildAnalyzers = %v, %v", name, got, err)
	}
	return got[0]
}

// TestPlugins: every analyzer is a plugin of its own name whose analyzer has
// the analyzer's name, requirements and facts, and reports what it reports.
func TestPlugins(t *testing.T) {
	for _, a := range suite.Analyzers() {
		got := build(t, a.Name, nil)
		if got.Name != a.Name || got.Doc != a.Doc || len(got.Requires) != len(a.Requires) || len(got.FactTypes) != len(a.FactTypes) {
			t.Errorf("%s: plugin analyzer %+v differs from the analyzer", a.Name, got)
		}
		if err := analysis.Validate([]*analysis.Analyzer{got}); err != nil {
			t.Errorf("%s: %v", a.Name, err)
		}
	}
	nodeadline := build(t, "nodeadline", map[string]any{"tests": false, "strict": false})
	analysistest.Run(t, linttest.TestData(t, "../../testdata"), nodeadline, "nodeadline/basic")
}

// TestNoRelated: golangci-lint would report related information as issues of
// their own that //nolint and --fix leave behind, so the plugin drops it.
func TestNoRelated(t *testing.T) {
	testdata := linttest.TestData(t, "../../testdata")
	related := func(results []*analysistest.Result) int {
		n := 0
		for _, r := range results {
			for _, d := range r.Diagnostics {
				n += len(d.Related)
			}
		}
		return n
	}
	if n := related(analysistest.Run(t, testdata, timeoutleak.Analyzer, "timeoutleak/a")); n == 0 {
		t.Fatal("the fixture no longer has related information: pick one that does")
	}
	if n := related(analysistest.Run(t, testdata, build(t, "timeoutleak", nil), "timeoutleak/a")); n != 0 {
		t.Errorf("the plugin's analyzer reported %d related positions, want none", n)
	}
}

func TestSettings(t *testing.T) {
	newPlugin, _ := register.GetPlugin("nodeadline")
	golangci.Reset()
	t.Cleanup(golangci.Reset)
	if _, err := newPlugin(map[string]any{"sinks": []any{"example.com/kv.Client.Fetch:0", "example.com/kv.Ping:0"}}); err != nil {
		t.Fatalf("list setting: %v", err)
	}
	for _, tc := range []struct {
		settings any
		want     string
	}{
		{map[string]any{"bogus": true}, `deadlinelint: nodeadline: unknown setting "bogus" (known settings: sinks, skip-servers, strict, tests)`},
		{map[string]any{"strict": "maybe"}, `deadlinelint: nodeadline: setting "strict": want true or false, got "maybe"`},
		{map[string]any{"strict": 1}, `deadlinelint: nodeadline: setting "strict": want true or false, got 1`},
		{map[string]any{"strict": nil}, `deadlinelint: nodeadline: setting "strict": want true or false, got no value`},
		{map[string]any{"sinks": "example.com/kv.Fetch"}, `deadlinelint: nodeadline: setting "sinks": bad value "example.com/kv.Fetch": sink "example.com/kv.Fetch": want pkgpath.Func:N`},
		{map[string]any{"sinks": []any{1}}, `deadlinelint: nodeadline: setting "sinks": list element 1 is not a string`},
		{map[string]any{"sinks": true}, `deadlinelint: nodeadline: setting "sinks": want a string, a number or a list of strings, got true`},
		{[]any{"strict"}, `deadlinelint: nodeadline: settings must map setting names to values: `},
	} {
		_, err := newPlugin(tc.settings)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("settings %v: error %v, want it to contain %q", tc.settings, err, tc.want)
		}
	}
}

// TestEveryFlagIsASetting: each flag of each analyzer is accepted as a
// setting (its default value round-trips), and its name is lower case:
// golangci-lint reads its configuration through viper, which lowercases
// keys, so a flag with an upper-case letter could never be set.
func TestEveryFlagIsASetting(t *testing.T) {
	for _, a := range suite.Analyzers() {
		newPlugin, err := register.GetPlugin(a.Name)
		if err != nil {
			t.Fatal(err)
		}
		a.Flags.VisitAll(func(f *flag.Flag) {
			if f.Name != strings.ToLower(f.Name) {
				t.Errorf("%s: flag %q has upper case: golangci-lint cannot set it", a.Name, f.Name)
			}
			var v any = f.DefValue
			if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
				v = f.DefValue == "true"
			}
			if _, err := newPlugin(map[string]any{f.Name: v}); err != nil {
				t.Errorf("%s: setting %s to its default %v: %v", a.Name, f.Name, v, err)
			}
			if f.Value.String() != f.DefValue {
				t.Errorf("%s: %s is %q after setting it to its default %q", a.Name, f.Name, f.Value.String(), f.DefValue)
			}
		})
	}
}

// TestSinksAddUp: every plugin shares one core, so the sinks settings of
// all deadlinelint linters extend one catalog. Split over two linters, the
// entries the usersinks fixture needs must all reach nodeadline.
func TestSinksAddUp(t *testing.T) {
	golangci.Reset()
	t.Cleanup(golangci.Reset)
	nodeadline := build(t, "nodeadline", map[string]any{"sinks": "example.com/kv.Client.Fetch:0, example.com/kv.Client.FetchNow:none"})
	build(t, "sharedeadline", map[string]any{"sinks": []any{"example.com/kv.Ping:0"}})
	analysistest.Run(t, linttest.TestData(t, "../../testdata"), nodeadline, "nodeadline/usersinks")
}
