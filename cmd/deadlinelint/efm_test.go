package main_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/deadlinelint/deadlinelint/internal/lsp"
)

// efmVersion is the efm-langserver release the editor test drives: a
// general-purpose language server that runs linters and publishes their
// findings (Neovim: nvim-lspconfig's "efm"). golangci-lint-langserver, the
// other common bridge, is not served by the module proxy this project is
// built with, so it cannot be tested here; see README#editors.
const efmVersion = "v0.0.57"

// buildEFM builds efm-langserver from the module proxy once per cache key.
func buildEFM(t *testing.T) string {
	t.Helper()
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	dir := filepath.Join(cache, "deadlinelint", "efm-"+efmVersion)
	bin := filepath.Join(dir, "efm-langserver")
	if _, err := os.Stat(bin); err == nil {
		return bin
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module efmbuild\n\ngo 1.26\n"), 0o644)
	for _, args := range [][]string{
		{"get", "github.com/mattn/efm-langserver@" + efmVersion},
		{"build", "-o", bin, "github.com/mattn/efm-langserver"},
	} {
		cmd := exec.Command("go", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go %v: %v\n%s", args, err, out)
		}
	}
	return bin
}

// lspConn is a minimal JSON-RPC 2.0 client over a language server's stdio.
type lspConn struct {
	t      *testing.T
	w      io.Writer
	msgs   chan map[string]any
	nextID int
}

func startLSP(t *testing.T, cmd *exec.Cmd) *lspConn {
	t.Helper()
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	c := &lspConn{t: t, w: in, msgs: make(chan map[string]any, 100)}
	go func() {
		r := bufio.NewReader(out)
		for {
			body, err := lsp.ReadMessage(r)
			if err != nil {
				close(c.msgs)
				return
			}
			var msg map[string]any
			if err := json.Unmarshal(body, &msg); err != nil {
				panic(fmt.Sprintf("server sent invalid JSON %q: %v", body, err))
			}
			c.msgs <- msg
		}
	}()
	return c
}

func (c *lspConn) send(method string, params any, isRequest bool) {
	if err := c.write(method, params, isRequest); err != nil {
		c.t.Fatal(err)
	}
}

func (c *lspConn) sendQuiet(method string, params any, isRequest bool) {
	c.write(method, params, isRequest)
}

func (c *lspConn) write(method string, params any, isRequest bool) error {
	msg := map[string]any{"jsonrpc": "2.0", "method": method, "params": params}
	if isRequest {
		c.nextID++
		msg["id"] = c.nextID
	}
	body, _ := json.Marshal(msg)
	return lsp.WriteMessage(c.w, body)
}

// await returns the first message satisfying match, failing after timeout.
func (c *lspConn) await(timeout time.Duration, what string, match func(map[string]any) bool) map[string]any {
	c.t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case msg, ok := <-c.msgs:
			if !ok {
				c.t.Fatalf("language server exited while waiting for %s", what)
			}
			if match(msg) {
				return msg
			}
		case <-deadline:
			c.t.Fatalf("no %s within %v", what, timeout)
		}
	}
}

func fileURI(path string) string {
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(path)}).String()
}

// TestEditorDiagnostics drives a real language-server exchange: initialize,
// initialized, didOpen, didSave on the example module, and expects
// publishDiagnostics with deadlinelint's finding, its range and its source.
func TestEditorDiagnostics(t *testing.T) {
	if testing.Short() {
		t.Skip("builds efm-langserver from the module proxy")
	}
	efm := buildEFM(t)
	dir := copyExample(t)
	config := filepath.Join(t.TempDir(), "efm.yaml")
	// The configuration documented in the README (Editors), with the binary
	// under test.
	os.WriteFile(config, []byte(fmt.Sprintf(`version: 2
root-markers: [go.mod]
languages:
  go:
    - lint-command: '%s ./...'
      lint-workspace: true
      lint-after-open: true
      lint-on-save: true
      lint-source: deadlinelint
      lint-formats: ['%%f:%%l:%%c: %%m']
`, binary)), 0o644)

	c := startLSP(t, exec.Command(efm, "-c", config))
	c.send("initialize", map[string]any{
		"processId": os.Getpid(), "rootUri": fileURI(dir),
		"capabilities": map[string]any{"textDocument": map[string]any{"publishDiagnostics": map[string]any{}}},
	}, true)
	c.await(30*time.Second, "initialize result", func(m map[string]any) bool { return m["id"] != nil && m["result"] != nil })
	c.send("initialized", map[string]any{}, false)

	file := filepath.Join(dir, "cmd", "shop", "main.go")
	text, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	doc := map[string]any{"uri": fileURI(file), "languageId": "go", "version": 1, "text": string(text)}
	c.send("textDocument/didOpen", map[string]any{"textDocument": doc}, false)
	c.send("textDocument/didSave", map[string]any{"textDocument": map[string]any{"uri": fileURI(file)}}, false)

	var diags []any
	c.await(2*time.Minute, "publishDiagnostics for main.go with findings", func(m map[string]any) bool {
		if m["method"] != "textDocument/publishDiagnostics" {
			return false
		}
		params, _ := m["params"].(map[string]any)
		if params["uri"] != fileURI(file) {
			return false
		}
		diags, _ = params["diagnostics"].([]any)
		return len(diags) > 0
	})
	var found bool
	for _, d := range diags {
		d := d.(map[string]any)
		msg, _ := d["message"].(string)
		if !strings.Contains(msg, "http.Get uses http.DefaultClient, which has no timeout") {
			continue
		}
		found = true
		start := d["range"].(map[string]any)["start"].(map[string]any)
		// main.go:42:15 in the tool's 1-based output is line 41, character 14 in LSP.
		if start["line"].(float64) != 41 || start["character"].(float64) != 14 {
			t.Errorf("range start %v, want line 41 character 14", start)
		}
		if d["source"] != "deadlinelint" {
			t.Errorf("source %v, want deadlinelint", d["source"])
		}
	}
	if !found {
		t.Errorf("no http.Get finding among the published diagnostics: %v", diags)
	}
	// efm-langserver may close the connection as soon as it has answered
	// shutdown: a failed write of exit is no failure of ours.
	c.sendQuiet("shutdown", nil, true)
	c.sendQuiet("exit", nil, false)
}
