// Package cli is the deadlinelint command: the linter people run
// (deadlinelint ./...), the vet tool go vet runs (go vet
// -vettool=$(which deadlinelint)), and their help.
//
// The command drives go vet with itself as the vet tool, then formats what
// go vet collected. go vet analyses one package per process, in dependency
// order, with facts in files and results in the build cache: memory stays
// that of one package whatever the size of the module, every build flag
// (-tags, -mod, -modfile) works as it does for go build, and a re-run on
// unchanged code replays cached results. Loading the whole program into one
// process, as x/tools' multichecker does, was faster on small modules but
// reached 18 GB on prometheus; see the README's "Benchmarks and precision" section for
// the measurements behind the choice.
package cli

import (
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"

	"github.com/deadlinelint/deadlinelint/internal/vettool"
)

// Exit codes of the command, the same in every output format.
const (
	ExitClean    = 0 // no findings
	ExitFindings = 1 // findings reported (after -baseline; with -fix, findings left unfixed)
	ExitError    = 2 // bad usage, or a package that could not be loaded or analysed
)

// Main runs the command with args (without the program name) and returns its
// exit code. The vet-tool protocol and version requests never return.
func Main(args []string, stdout, stderr io.Writer) int {
	if wantsVersion(args) {
		printVersion(stdout)
		return ExitClean
	}
	if vettool.IsCall(args) {
		return vettool.Main(args, stdout, stderr)
	}
	if len(args) > 0 && args[0] == "help" {
		return help(args[1:], stdout, stderr)
	}
	return lint(args, stdout, stderr)
}

// printVersion answers -V=full. go vet parses this line: it needs
// "NAME version …devel… buildID=ID" and keys its cache on ID, which must
// change with the executable.
func printVersion(w io.Writer) {
	fmt.Fprintf(w, "deadlinelint version devel module=%s %s buildID=%s\n", moduleVersion(), runtime.Version(), executableHash())
}

func moduleVersion() string {
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" {
		return info.Main.Version
	}
	return "(devel)"
}

func executableHash() string {
	exe, err := os.Executable()
	if err != nil {
		return "unknown"
	}
	return executableHashOf(exe)
}

// executableHashOf hashes the file of an executable.
func executableHashOf(exe string) string {
	f, err := os.Open(exe)
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "unknown"
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}

func wantsVersion(args []string) bool {
	for _, a := range args {
		switch a {
		case "-V=full", "--V=full", "-V", "--V", "-version", "--version":
			return true
		}
	}
	return false
}
