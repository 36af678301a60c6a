// Command deadlinelint runs every deadlinelint rule. It lints packages
// (deadlinelint ./...) by driving go vet with itself as the vet tool, and it
// is that vet tool (go vet -vettool=$(which deadlinelint) ./...).
package main

import (
	"os"

	"github.com/deadlinelint/deadlinelint/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdout, os.Stderr))
}
