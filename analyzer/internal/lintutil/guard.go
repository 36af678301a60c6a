package lintutil

import (
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
	"sync"

	"golang.org/x/tools/go/analysis"
)

// The panic policy, the same for the core and every rule: a panic while
// analysing one function is recovered, that function is skipped (it gets no
// findings), and one note naming the function goes to Notes; the other
// functions of the package are analysed and reported as usual. Notes are
// not diagnostics: a driver shows them (go vet prints a tool's stderr under
// the package's name) without counting them as findings. A panic outside
// any function's guard becomes the rule's error for the package (see Run):
// loud, and never a crash of the whole driver.
//
// Tests make notes fatal (see linttest), so a bug is never hidden there.

var (
	notesMu sync.Mutex
	// Notes receives the notes of skipped functions and abandoned searches.
	Notes io.Writer = os.Stderr
)

// Note writes one note line.
func Note(format string, args ...any) {
	notesMu.Lock()
	defer notesMu.Unlock()
	fmt.Fprintf(Notes, "deadlinelint: note: "+format+"\n", args...)
}

// SetNotes swaps the notes writer and returns the previous one.
func SetNotes(w io.Writer) io.Writer {
	notesMu.Lock()
	defer notesMu.Unlock()
	old := Notes
	Notes = w
	return old
}

// Guard runs f, the analysis of one function by one analyzer, recovering a
// panic into a note.
func Guard(pass *analysis.Pass, analyzer string, fn fmt.Stringer, f func()) {
	defer func() {
		if p := recover(); p != nil {
			Note("internal error in %s on %s (package %s), which was skipped; please report it at %s/issues: %v\n%s",
				analyzer, fn, pass.Pkg.Path(), RepoURL, p, firstLines(string(debug.Stack()), 30))
		}
	}()
	f()
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, "\n")
}
