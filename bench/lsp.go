package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	lspproto "github.com/deadlinelint/deadlinelint/internal/lsp"
)

// lspBench measures the language server on a file of a large package: the
// time from didOpen to the first publishDiagnostics of that file, then a
// re-save of the unchanged file (answered from the server's cache), then a
// save after an edit. Each session runs a copy of the binary with a fresh
// hash, so go vet has none of its results cached: the first open after the
// tool was installed or upgraded, the worst case an editor meets.
//
// Two checkouts: one built once before (go vet run in it, as in an editor
// session after a build or a test run), and one never built, where go must
// also compile the module's own packages, a cost any go vet based tool pays.
func lspBench(b binaries, module, file string) error {
	fmt.Printf("\nLanguage server on %s/%s (2 CPUs; a copy of the binary never run before, so nothing of its analysis is cached):\n\n| checkout | event | first diagnostics after | diagnostics |\n|---|---|---|---|\n", module, file)
	if err := lspSession(b, module, file, true); err != nil {
		return err
	}
	return lspSession(b, module, file, false)
}

func lspSession(b binaries, module, file string, built bool) error {
	src := filepath.Join(b.modcache, module)
	dir, err := os.MkdirTemp("", "deadlinelint-lsp-bench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	// A writable copy of the module: the server analyses it in place, as
	// it would a checkout.
	if out, err := exec.Command("cp", "-r", src+"/.", dir).CombinedOutput(); err != nil {
		return fmt.Errorf("copying %s: %v\n%s", src, err, out)
	}
	exec.Command("chmod", "-R", "u+w", dir).Run()
	path := filepath.Join(dir, file)
	env := append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
	checkout := "never built"
	if built {
		checkout = "built before"
		vet := exec.Command("go", "vet", "./"+filepath.Dir(file))
		vet.Dir, vet.Env = dir, env
		if out, err := vet.CombinedOutput(); err != nil {
			return fmt.Errorf("building the checkout: %v\n%s", err, out)
		}
	}
	// The same program under a new hash: go vet keys its cache on it.
	exe := filepath.Join(dir, ".deadlinelint-fresh")
	data, err := os.ReadFile(b.deadlinelint)
	if err != nil {
		return err
	}
	if err := os.WriteFile(exe, append(data, []byte(time.Now().String())...), 0o755); err != nil {
		return err
	}

	cmd := exec.Command(exe, "lsp")
	cmd.Dir, cmd.Env = dir, env
	in, _ := cmd.StdinPipe()
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		return err
	}
	defer cmd.Process.Kill()
	r := bufio.NewReader(out)
	send := func(m map[string]any) {
		m["jsonrpc"] = "2.0"
		data, _ := json.Marshal(m)
		lspproto.WriteMessage(in, data)
	}
	uri := (&url.URL{Scheme: "file", Path: filepath.ToSlash(path)}).String()
	// wait reads messages until the diagnostics of the file arrive.
	wait := func() (int, error) {
		for {
			body, err := lspproto.ReadMessage(r)
			if err != nil {
				return 0, err
			}
			var m struct {
				Method string
				Params struct {
					URI         string
					Diagnostics []any
				}
			}
			json.Unmarshal(body, &m)
			if m.Method == "textDocument/publishDiagnostics" && m.Params.URI == uri {
				return len(m.Params.Diagnostics), nil
			}
		}
	}
	send(map[string]any{"id": 1, "method": "initialize", "params": map[string]any{"rootUri": (&url.URL{Scheme: "file", Path: dir}).String(), "capabilities": map[string]any{}}})
	send(map[string]any{"method": "initialized", "params": map[string]any{}})
	text, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	measure := func(what string, notify func()) error {
		start := time.Now()
		notify()
		n, err := wait()
		if err != nil {
			return fmt.Errorf("%s: %v", what, err)
		}
		fmt.Printf("| %s | %s | %s | %d |\n", checkout, what, time.Since(start).Round(10*time.Millisecond), n)
		return nil
	}
	if err := measure("didOpen", func() {
		send(map[string]any{"method": "textDocument/didOpen", "params": map[string]any{"textDocument": map[string]any{"uri": uri, "languageId": "go", "version": 1, "text": string(text)}}})
	}); err != nil {
		return err
	}
	if !built {
		return nil
	}
	if err := measure("didSave, file unchanged", func() {
		send(map[string]any{"method": "textDocument/didSave", "params": map[string]any{"textDocument": map[string]any{"uri": uri}}})
	}); err != nil {
		return err
	}
	if err := os.WriteFile(path, append(text, []byte("\n// edited\n")...), 0o644); err != nil {
		return err
	}
	return measure("didSave after an edit", func() {
		send(map[string]any{"method": "textDocument/didSave", "params": map[string]any{"textDocument": map[string]any{"uri": uri}}})
	})
}
