package main_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// lspClient speaks LSP to `deadlinelint lsp` over pipes, as an editor does:
// the connection of the efm test (lspConn) with the process kept, for its
// exit status, and calls that wait for responses and notifications.
type lspClient struct {
	*lspConn
	cmd *exec.Cmd
}

func startServer(t *testing.T, dir string) *lspClient {
	t.Helper()
	cmd := exec.Command(binary, "lsp")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
	return &lspClient{lspConn: startLSP(t, cmd), cmd: cmd}
}

func (c *lspClient) notify(method string, params any) {
	c.send(method, params, false)
}

// request sends a request and returns its response, keeping the
// notifications that arrive meanwhile for later waits.
func (c *lspClient) request(method string, params any) map[string]any {
	c.send(method, params, true)
	id := c.nextID
	var kept []map[string]any
	defer func() {
		// Put notifications back in order for the next wait.
		rest := make(chan map[string]any, 100)
		for _, m := range kept {
			rest <- m
		}
		for len(c.msgs) > 0 {
			rest <- <-c.msgs
		}
		c.msgs = rest
	}()
	timeout := time.After(2 * time.Minute)
	for {
		select {
		case m, ok := <-c.msgs:
			if !ok {
				c.t.Fatalf("server closed the connection waiting for %s", method)
			}
			if rid, ok := m["id"].(float64); ok && int(rid) == id && m["method"] == nil {
				return m
			}
			kept = append(kept, m)
		case <-timeout:
			c.t.Fatalf("no response to %s", method)
		}
	}
}

// waitFor returns the first notification of method for which match holds,
// dropping others; logs are recorded.
func (c *lspClient) waitFor(method string, match func(params map[string]any) bool, logs *[]string) map[string]any {
	c.t.Helper()
	timeout := time.After(3 * time.Minute)
	for {
		select {
		case m, ok := <-c.msgs:
			if !ok {
				c.t.Fatalf("server closed the connection waiting for %s", method)
			}
			params, _ := m["params"].(map[string]any)
			if m["method"] == "window/logMessage" && logs != nil {
				*logs = append(*logs, params["message"].(string))
			}
			if m["method"] == method && match(params) {
				return params
			}
		case <-timeout:
			c.t.Fatalf("no %s notification", method)
		}
	}
}

func diagnosticsFor(uri string) func(map[string]any) bool {
	return func(p map[string]any) bool { return p["uri"] == uri }
}

// TestLSP is a whole editor session: open a file, see its findings with
// rule and link, ask for quick fixes, apply them, save, see the findings
// gone; a re-save comes from the cache; a broken package and a file outside
// any module are reported in the log without a crash; unknown requests are
// refused; shutdown and exit end the process with status 0.
func TestLSP(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go vet through the language server")
	}
	src, err := filepath.Abs("../../testdata/lsp/mod")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "fix", "fix.go")
	uri := fileURI(file)
	text, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}

	c := startServer(t, dir)
	init := c.request("initialize", map[string]any{"processId": os.Getpid(), "rootUri": fileURI(dir), "capabilities": map[string]any{}, "initializationOptions": map[string]any{"flags": []string{}}})
	caps, _ := init["result"].(map[string]any)["capabilities"].(map[string]any)
	if caps["codeActionProvider"] == nil || caps["textDocumentSync"] == nil {
		t.Fatalf("initialize: capabilities %v lack code actions or document sync", caps)
	}
	c.notify("initialized", map[string]any{})

	start := time.Now()
	c.notify("textDocument/didOpen", map[string]any{"textDocument": map[string]any{"uri": uri, "languageId": "go", "version": 1, "text": string(text)}})
	var logs []string
	pub := c.waitFor("textDocument/publishDiagnostics", diagnosticsFor(uri), &logs)
	t.Logf("first diagnostics %v after didOpen (includes go vet's first build of the package)", time.Since(start).Round(time.Millisecond))
	diags, _ := pub["diagnostics"].([]any)
	rules := map[string]bool{}
	for _, d := range diags {
		d := d.(map[string]any)
		code, _ := d["code"].(string)
		rules[code] = true
		href, _ := d["codeDescription"].(map[string]any)["href"].(string)
		if !strings.HasSuffix(href, "#"+code) || d["source"] != "deadlinelint" || d["severity"] != float64(2) {
			t.Errorf("diagnostic %v: want source deadlinelint, severity 2 and the rule's README link", d)
		}
		if code == "timeoutleak" {
			rel, _ := d["relatedInformation"].([]any)
			if len(rel) != 2 {
				t.Errorf("timeoutleak: related information %v, want the send and the select attached", rel)
			}
		}
	}
	if len(diags) != 3 || !rules["sharedeadline"] || !rules["swallowcancel"] || !rules["timeoutleak"] {
		t.Fatalf("fix.go: diagnostics %v, want sharedeadline, swallowcancel and timeoutleak", diags)
	}
	// The position of the sharedeadline finding: line 14 (0-based 13), at
	// context.Background() in column 38 (0-based 37).
	for _, d := range diags {
		d := d.(map[string]any)
		if d["code"] == "sharedeadline" {
			start := d["range"].(map[string]any)["start"].(map[string]any)
			if start["line"] != float64(13) || start["character"] != float64(37) {
				t.Errorf("sharedeadline range starts at %v, want line 13, character 37", start)
			}
		}
	}

	// One quick fix per diagnostic, preferred, applied together.
	var edits []map[string]any
	for _, d := range diags {
		d := d.(map[string]any)
		resp := c.request("textDocument/codeAction", map[string]any{
			"textDocument": map[string]any{"uri": uri},
			"range":        d["range"],
			"context":      map[string]any{"diagnostics": []any{d}},
		})
		actions, _ := resp["result"].([]any)
		if len(actions) != 1 {
			t.Fatalf("codeAction for %s: %v, want one quick fix", d["code"], resp)
		}
		a := actions[0].(map[string]any)
		if a["kind"] != "quickfix" || a["isPreferred"] != true || len(a["diagnostics"].([]any)) != 1 {
			t.Errorf("code action %v: want a preferred quickfix with its diagnostic", a)
		}
		changes := a["edit"].(map[string]any)["changes"].(map[string]any)
		for u, es := range changes {
			if u != uri {
				t.Errorf("code action edits %s, want only %s", u, uri)
			}
			for _, e := range es.([]any) {
				edits = append(edits, e.(map[string]any))
			}
		}
	}
	fixed := applyLSPEdits(t, string(text), edits)
	golden, err := os.ReadFile(filepath.Join(src, "fix", "fix.go.golden"))
	if err != nil {
		t.Fatal(err)
	}
	if fixed != string(golden) {
		t.Fatalf("after the quick fixes:\n%s\nwant fix.go.golden:\n%s", fixed, golden)
	}
	if err := os.WriteFile(file, []byte(fixed), 0o644); err != nil {
		t.Fatal(err)
	}
	c.notify("textDocument/didSave", map[string]any{"textDocument": map[string]any{"uri": uri}})
	pub = c.waitFor("textDocument/publishDiagnostics", diagnosticsFor(uri), &logs)
	if d, _ := pub["diagnostics"].([]any); len(d) != 0 {
		t.Fatalf("after the fixes and a save: %v, want no diagnostics", d)
	}

	// An unchanged re-save is answered from the cache.
	logs = nil
	c.notify("textDocument/didSave", map[string]any{"textDocument": map[string]any{"uri": uri}})
	c.waitFor("textDocument/publishDiagnostics", diagnosticsFor(uri), &logs)
	if !strings.Contains(strings.Join(logs, "\n"), "answered from the cache") {
		t.Errorf("re-save of an unchanged file: logs %q, want an answer from the cache", logs)
	}

	// A package with type errors: logged, no findings, still serving.
	broken := filepath.Join(dir, "broken", "broken.go")
	logs = nil
	c.notify("textDocument/didOpen", map[string]any{"textDocument": map[string]any{"uri": fileURI(broken), "languageId": "go", "version": 1, "text": ""}})
	pub = c.waitFor("textDocument/publishDiagnostics", diagnosticsFor(fileURI(broken)), &logs)
	if d, _ := pub["diagnostics"].([]any); len(d) != 0 {
		t.Errorf("broken.go: %v, want no diagnostics", d)
	}
	if !strings.Contains(strings.Join(logs, "\n"), "undefined: undefinedName") {
		t.Errorf("broken.go: logs %q, want the type error", logs)
	}

	// A file outside any module.
	outside := filepath.Join(t.TempDir(), "loose.go")
	if err := os.WriteFile(outside, []byte("package loose\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	logs = nil
	c.notify("textDocument/didOpen", map[string]any{"textDocument": map[string]any{"uri": fileURI(outside), "languageId": "go", "version": 1, "text": ""}})
	pub = c.waitFor("textDocument/publishDiagnostics", diagnosticsFor(fileURI(outside)), &logs)
	if d, _ := pub["diagnostics"].([]any); len(d) != 0 {
		t.Errorf("loose.go: %v, want no diagnostics", d)
	}

	// Requests the server does not know are refused, not fatal.
	resp := c.request("textDocument/hover", map[string]any{"textDocument": map[string]any{"uri": uri}, "position": map[string]any{"line": 0, "character": 0}})
	if e, _ := resp["error"].(map[string]any); e == nil || e["code"] != float64(-32601) {
		t.Errorf("hover: %v, want MethodNotFound", resp)
	}

	resp = c.request("shutdown", nil)
	if r, ok := resp["result"]; !ok || r != nil || resp["error"] != nil {
		t.Errorf("shutdown: %v, want a null result", resp)
	}
	c.notify("exit", nil)
	done := make(chan error, 1)
	go func() { done <- c.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("exit after shutdown: %v, want status 0", err)
		}
	case <-time.After(30 * time.Second):
		t.Error("the server did not exit")
	}
}

// applyLSPEdits applies text edits (LSP positions: 0-based lines, UTF-16
// columns) computed against the same text.
func applyLSPEdits(t *testing.T, text string, edits []map[string]any) string {
	t.Helper()
	offset := func(p map[string]any) int {
		line, char := int(p["line"].(float64)), int(p["character"].(float64))
		off := 0
		for i := 0; i < line; i++ {
			j := strings.IndexByte(text[off:], '\n')
			if j < 0 {
				t.Fatalf("position %v beyond the text", p)
			}
			off += j + 1
		}
		for units := 0; units < char; {
			r, size := utf8.DecodeRuneInString(text[off:])
			if r >= 0x10000 {
				units += 2
			} else {
				units++
			}
			off += size
		}
		return off
	}
	type span struct {
		start, end int
		text       string
	}
	var spans []span
	for _, e := range edits {
		r := e["range"].(map[string]any)
		spans = append(spans, span{offset(r["start"].(map[string]any)), offset(r["end"].(map[string]any)), e["newText"].(string)})
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].start > spans[j].start })
	for _, s := range spans {
		text = text[:s.start] + s.text + text[s.end:]
	}
	return text
}
