package main_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
)

// npmNetworkError is npm failing to reach its registry: the machine has no
// network, which says nothing about the extension.
var npmNetworkError = regexp.MustCompile(`ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH`)

// TestVSCodeExtensionProtocol runs editors/vscode/test/protocol.test.js: the
// extension's server command and initialization options (options.js),
// spoken over vscode-jsonrpc with the capabilities VS Code announces, against
// the built binary. It needs node and npm (npm ci fetches the extension's
// locked dependencies).
func TestVSCodeExtensionProtocol(t *testing.T) {
	if testing.Short() {
		t.Skip("installs the extension's npm dependencies and runs go vet through the language server")
	}
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed", tool)
		}
	}
	ext, err := filepath.Abs("../../editors/vscode")
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	for _, f := range []string{"package.json", "package-lock.json", "options.js", "extension.js", "test/protocol.test.js"} {
		data, err := os.ReadFile(filepath.Join(ext, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(work, f)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(work, f), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	npm := exec.Command("npm", "ci", "--no-audit", "--no-fund")
	npm.Dir = work
	if out, err := npm.CombinedOutput(); err != nil {
		if npmNetworkError.Match(out) {
			t.Skipf("npm cannot reach its registry:\n%s", out)
		}
		t.Fatalf("npm ci: %v\n%s", err, out)
	}
	src, err := filepath.Abs("../../testdata/lsp/mod")
	if err != nil {
		t.Fatal(err)
	}
	mod := t.TempDir()
	if err := os.CopyFS(mod, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	node := exec.Command("node", "test/protocol.test.js", mod)
	node.Dir = work
	node.Env = append(os.Environ(), "DEADLINELINT="+binary, "GOWORK=off", "GOFLAGS=-mod=mod")
	out, err := node.CombinedOutput()
	if err != nil {
		t.Fatalf("protocol test: %v\n%s", err, out)
	}
	t.Logf("%s", out)
}
