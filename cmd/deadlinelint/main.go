// Command deadlinelint runs every deadlinelint analyzer. It works standalone
// (deadlinelint ./...) and as a vet tool (go vet -vettool=$(which deadlinelint) ./...).
package main

import (
	"golang.org/x/tools/go/analysis/multichecker"

	"github.com/deadlinelint/deadlinelint/analyzer/nodeadline"
)

func main() {
	multichecker.Main(
		nodeadline.Analyzer,
	)
}
