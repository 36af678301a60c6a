package ctxflow_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/deadlinelint/deadlinelint/analyzer/internal/ctxflow"
	"github.com/deadlinelint/deadlinelint/analyzer/nodeadline"
	"github.com/deadlinelint/deadlinelint/analyzer/suite"
)

// pathological writes a package shaped like the API clients that once made
// the core's searches exponential: n struct types whose client fields are
// copied into each other from many places (every store's value is a load of
// another such field), a long chain of nested structs, one struct with
// thousands of fields, and phis over many requests. Every search over stores
// and fields must be memoised for it to finish.
func pathological(n int) string {
	var b strings.Builder
	b.WriteString("package patho\n\nimport (\n\t\"context\"\n\t\"net\"\n\t\"net/http\"\n)\n\n")
	for i := range n {
		fmt.Fprintf(&b, "type T%d struct {\n\tC *http.Client\n\tD *net.Dialer\n\tNext *T%d\n\tR *http.Request\n}\n\n", i, (i+1)%n)
	}
	// Every field is stored from several other fields: fan-out 3 per level.
	for i := range n {
		for k := 1; k <= 3; k++ {
			j := (i + k*7) % n
			fmt.Fprintf(&b, "func (t *T%d) copy%d(o *T%d) {\n\tt.C = o.C\n\tt.D = o.D\n\tt.Next.C = o.Next.C\n\tt.R = o.R\n}\n\n", i, k, j)
		}
		fmt.Fprintf(&b, "func (t *T%d) get(ctx context.Context) {\n\tt.C.Get(\"http://x\")\n\tt.D.Dial(\"tcp\", \"x\")\n\tt.C.Do(t.R)\n\tt.Next.Next.Next.C.Get(\"http://y\")\n}\n\n", i)
	}
	// A chain of phis: a request picked from many branches in a loop.
	b.WriteString("func pick(ctx context.Context, ts []*T0, n int) {\n\tr := ts[0].R\n\tc := ts[0].C\n\tfor i := 0; i < n; i++ {\n")
	for k := range 60 {
		fmt.Fprintf(&b, "\t\tif i == %d {\n\t\t\tr, c = ts[%d].R, ts[%d].C\n\t\t} else {\n\t\t\tr, c = r.WithContext(ctx), c\n\t\t}\n", k, k%len("abcdefgh"), (k+1)%len("abcdefgh"))
	}
	b.WriteString("\t\tc.Do(r)\n\t}\n}\n\n")
	// One struct with thousands of fields, stored from each other.
	b.WriteString("type Wide struct {\n")
	for i := range 3000 {
		fmt.Fprintf(&b, "\tF%d *http.Client\n", i)
	}
	b.WriteString("}\n\nfunc (w *Wide) shuffle() {\n")
	for i := range 3000 {
		fmt.Fprintf(&b, "\tw.F%d = w.F%d\n", i, (i*31+1)%3000)
	}
	b.WriteString("\tw.F0.Get(\"http://z\")\n}\n")
	// An SDK-shaped package (aws-sdk-go-v2/service/ec2): thousands of
	// types with methods, and thousands of calls through an interface
	// that some of them implement. Looking implementations up anew at
	// each call made ec2 take 90 s instead of 5.
	b.WriteString("\ntype Op interface{ Run(ctx context.Context, c *http.Client) error }\n\n")
	for i := range n * 10 {
		fmt.Fprintf(&b, "type Op%d struct{ URL string }\n\nfunc (o *Op%d) Run(ctx context.Context, c *http.Client) error {\n\treq, _ := http.NewRequestWithContext(ctx, \"GET\", o.URL, nil)\n\t_, err := c.Do(req)\n\treturn err\n}\n\nfunc (o *Op%d) Name() string { return o.URL }\n\n", i, i, i)
	}
	for i := range n * 25 {
		fmt.Fprintf(&b, "func call%d(ctx context.Context, o Op, c *http.Client) error { return o.Run(ctx, c) }\n\n", i)
	}
	return b.String()
}

// TestPathologicalPackageFinishes runs every rule on the generated package.
// It asserts termination with a limit far above the expected second or two
// (speed itself is measured by BenchmarkPathological): before the searches
// were memoised, a package of this shape took minutes to hours.
func TestPathologicalPackageFinishes(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and analyses a large package")
	}
	dir := t.TempDir()
	pkgDir := filepath.Join(dir, "src", "patho")
	if err := os.MkdirAll(pkgDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(pkgDir, "p.go"), []byte(pathological(120)), 0o644); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	start := time.Now()
	go func() {
		defer close(done)
		for _, a := range suite.Analyzers() {
			t0 := time.Now()
			analysistest.Run(silent{t}, dir, a, "patho")
			t.Logf("%s: %v", a.Name, time.Since(t0))
		}
	}()
	select {
	case <-done:
		t.Logf("analysed in %v", time.Since(start))
	case <-time.After(2 * time.Minute):
		t.Fatalf("the rules did not finish on the pathological package within 2 minutes")
	}
}

// silent drops analysistest's complaints about unexpected diagnostics: the
// generated package makes no claims about findings, only about termination.
type silent struct{ *testing.T }

func (silent) Errorf(string, ...any) {}

// TestStepGuardGivesUpWithANote lowers the per-query budget so that the
// guard fires on the generated package: the run must finish, print one note
// naming the package and a function, and report nothing from the searches it
// abandoned (an abandoned value is Unknown).
func TestStepGuardGivesUpWithANote(t *testing.T) {
	dir := t.TempDir()
	pkgDir := filepath.Join(dir, "src", "patho")
	if err := os.MkdirAll(pkgDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(pkgDir, "p.go"), []byte(pathological(8)), 0o644); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	restore := ctxflow.SetStepGuard(3, &out)
	defer restore()
	analysistest.Run(silent{t}, dir, nodeadline.Analyzer, "patho")
	var mine []string
	for line := range strings.Lines(out.String()) {
		if strings.Contains(line, "package patho: ") {
			mine = append(mine, line)
		}
	}
	if len(mine) != 1 || !strings.Contains(mine[0], "gave up following values in (*patho.T") {
		t.Errorf("want one give-up note for package patho, got %q", out.String())
	}
}
