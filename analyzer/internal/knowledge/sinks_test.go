package knowledge

import (
	"strings"
	"testing"
)

func TestParseExtra(t *testing.T) {
	got, err := ParseExtra("example.com/kv.Client.Fetch:0, example.com/kv.Ping:none,(*example.com/kv.Client).Put:1")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]Arg{
		"(example.com/kv.Client).Fetch":  At(0),
		"(*example.com/kv.Client).Fetch": At(0),
		"example.com/kv.Ping":            NoArg,
		"(*example.com/kv.Client).Put":   At(1),
	}
	if len(got) != len(want) {
		t.Fatalf("got %d entries, want %d: %+v", len(got), len(want), got)
	}
	for _, s := range got {
		ctx, ok := want[s.Func]
		if !ok || ctx != s.Context {
			t.Errorf("unexpected entry %+v", s)
		}
	}
}

func TestParseExtraErrors(t *testing.T) {
	for bad, msg := range map[string]string{
		"example.com/kv.Client.Fetch":  "want pkgpath.Func:N",
		"example.com/kv.Fetch:-1":      "not a non-negative number",
		"example.com/kv.Fetch:1000":    "not a non-negative number",
		"example.com/kv.Fetch:one":     "not a non-negative number",
		"kv:0":                         "is not pkgpath.Func",
		"example.com/kv.a.b.c:0":       "is not pkgpath.Func",
		"(example.com/kv.Client.Get:0": "malformed receiver",
		"example.com/kv..Fetch:0":      "empty name",
	} {
		_, err := ParseExtra(bad)
		if err == nil || !strings.Contains(err.Error(), msg) || !strings.Contains(err.Error(), strings.Split(bad, ":")[0]) {
			t.Errorf("ParseExtra(%q) = %v, want an error naming the entry and %q", bad, err, msg)
		}
	}
}

func TestCatalogNamesAreFullNames(t *testing.T) {
	c := New(nil)
	for _, n := range c.Names() {
		if strings.Count(n, "(") != strings.Count(n, ")") || strings.HasSuffix(n, ".") {
			t.Errorf("malformed catalog name %q", n)
		}
	}
	for _, must := range []string{"net/http.Get", "(*net/http.Client).Do", "(*database/sql.DB).QueryContext", "(*database/sql.Tx).Exec", "net.Dial", "(*google.golang.org/grpc.ClientConn).Invoke"} {
		if c.byName[must] == nil {
			t.Errorf("catalog lacks %s", must)
		}
	}
}

func TestArgZeroValueIsNoArgument(t *testing.T) {
	var s Sink
	if _, ok := s.Context.Index(); ok || s.HasContext() {
		t.Error("a Sink without Context claims a context argument")
	}
	if _, ok := s.Request.In(3); ok {
		t.Error("a Sink without Request claims a request argument")
	}
	if i, ok := At(2).In(3); !ok || i != 2 {
		t.Errorf("At(2).In(3) = %d, %v", i, ok)
	}
	if _, ok := At(3).In(3); ok {
		t.Error("At(3).In(3): out of range, want false")
	}
}
