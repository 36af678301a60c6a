// Command deadlinelint runs every deadlinelint rule. It lints packages
// (deadlinelint ./...) by driving go vet with itself as the vet tool, and it
// is that vet tool (go vet -vettool=$(which deadlinelint) ./...), and a
// language server for editors (deadlinelint lsp).
package main

import (
	"os"

	"github.com/deadlinelint/deadlinelint/internal/cli"
	"github.com/deadlinelint/deadlinelint/internal/lsp"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "lsp" {
		os.Exit(lsp.Main(os.Args[2:], os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(cli.Main(os.Args[1:], os.Stdout, os.Stderr))
}
