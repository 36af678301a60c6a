// Command deadlinelint runs every deadlinelint analyzer. It works standalone
// (deadlinelint ./...) and as a vet tool (go vet -vettool=$(which deadlinelint) ./...).
package main

import (
	"os"

	"golang.org/x/tools/go/analysis/multichecker"

	"github.com/deadlinelint/deadlinelint/analyzer/suite"
)

func main() {
	if wantsVersion(os.Args[1:]) {
		printVersion()
		return
	}
	if args, read, write := baselineArgs(os.Args[1:]); read != "" || write != "" {
		os.Exit(runBaseline(args, read, write))
	}
	// The list of analyzers lives in analyzer/suite, shared with the
	// golangci-lint plugin: add new rules there.
	multichecker.Main(suite.Analyzers()...)
}
