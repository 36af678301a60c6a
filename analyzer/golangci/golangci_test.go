package golangci_test

import (
	"strings"
	"testing"

	"github.com/golangci/plugin-module-register/register"
	"golang.org/x/tools/go/analysis/analysistest"

	_ "github.com/deadlinelint/deadlinelint/analyzer/golangci"
	"github.com/deadlinelint/deadlinelint/analyzer/internal/linttest"
	"github.com/deadlinelint/deadlinelint/analyzer/suite"
)

// TestPlugins: every analyzer is a plugin of its own name whose analyzer
// reports what the analyzer reports.
func TestPlugins(t *testing.T) {
	for _, a := range suite.Analyzers() {
		newPlugin, err := register.GetPlugin(a.Name)
		if err != nil {
			t.Fatalf("%s: %v", a.Name, err)
		}
		p, err := newPlugin(nil)
		if err != nil {
			t.Fatalf("%s: %v", a.Name, err)
		}
		if p.GetLoadMode() != register.LoadModeTypesInfo {
			t.Errorf("%s: load mode %q", a.Name, p.GetLoadMode())
		}
		got, err := p.BuildAnalyzers()
		if err != nil || len(got) != 1 || got[0] != a {
			t.Errorf("%s: BuildAnalyzers = %v, %v", a.Name, got, err)
		}
	}
	newPlugin, _ := register.GetPlugin("nodeadline")
	p, err := newPlugin(map[string]any{"tests": false, "strict": false})
	if err != nil {
		t.Fatal(err)
	}
	analyzers, _ := p.BuildAnalyzers()
	analysistest.Run(t, linttest.TestData(t, "../../testdata"), analyzers[0], "nodeadline/basic")
}

func TestSettings(t *testing.T) {
	newPlugin, _ := register.GetPlugin("nodeadline")
	if _, err := newPlugin(map[string]any{"sinks": []any{"example.com/kv.Client.Fetch:0", "example.com/kv.Ping:0"}}); err != nil {
		t.Fatalf("list setting: %v", err)
	}
	defer func() {
		newPlugin(map[string]any{"sinks": "", "strict": false})
	}()
	for _, tc := range []struct {
		settings map[string]any
		want     string
	}{
		{map[string]any{"bogus": true}, `deadlinelint: nodeadline: unknown setting "bogus" (known settings: sinks, strict, tests)`},
		{map[string]any{"strict": "maybe"}, `deadlinelint: nodeadline: setting "strict": parse error`},
		{map[string]any{"sinks": "example.com/kv.Fetch"}, `deadlinelint: nodeadline: setting "sinks": sink "example.com/kv.Fetch"`},
		{map[string]any{"sinks": []any{1}}, `deadlinelint: nodeadline: setting "sinks": list element 1 is not a string`},
	} {
		_, err := newPlugin(tc.settings)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("settings %v: error %v, want it to contain %q", tc.settings, err, tc.want)
		}
	}
}
