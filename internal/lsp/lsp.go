// Package lsp is deadlinelint's language server: `deadlinelint lsp` speaks
// LSP 3.17 over stdio (JSON-RPC with Content-Length framing) so that editors
// show the findings as diagnostics, with the rule's name and README link,
// related positions attached to their finding, and the suggested fixes as
// quick fixes.
//
// The server analyses what is on disk: when a Go file is opened or saved,
// it runs the command's analysis (go vet with deadlinelint as the vet tool,
// facts and all) on that file's package, and publishes the findings of
// every file of the package. Unsaved edits are not seen until the next
// save. Results are cached per package, keyed by the content of the
// package's files and the state of the module's other Go files, so a
// re-save of an unchanged file is answered from the cache.
package lsp

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/deadlinelint/deadlinelint/internal/cli"
)

// Main serves one client on in and out until it exits, and returns the
// process's exit status: 0 after shutdown and exit, 1 when the client went
// away without them (as the specification asks).
func Main(args []string, in io.Reader, out, stderr io.Writer) int {
	if len(args) > 0 {
		fmt.Fprintln(stderr, "usage: deadlinelint lsp   (speaks LSP on stdin/stdout; flags go in the initializationOptions: {\"flags\": [...]})")
		if args[0] == "-h" || args[0] == "-help" || args[0] == "--help" {
			return cli.ExitClean
		}
		return cli.ExitError
	}
	s := &server{
		out:       out,
		stderr:    stderr,
		cache:     map[string]*pkgResult{},
		published: map[string]map[string]bool{},
		queue:     make(chan string, 64),
	}
	go s.worker()
	return s.serve(bufio.NewReader(in))
}

type server struct {
	outMu  sync.Mutex
	out    io.Writer
	stderr io.Writer

	// Set while reading requests, read by the worker.
	mu          sync.Mutex
	flags       []string
	initialized bool
	shutdown    bool
	cache       map[string]*pkgResult      // by package directory
	published   map[string]map[string]bool // package directory → URIs with diagnostics
	pending     map[string]bool            // directories queued for analysis

	queue chan string
}

// pkgResult is one analysis of a package's directory.
type pkgResult struct {
	key      string
	findings map[string][]cli.Finding // by absolute file path
	files    map[string][]byte        // the content analysed, by absolute path
}

func (s *server) serve(r *bufio.Reader) int {
	for {
		body, err := ReadMessage(r)
		if err != nil {
			if !errors.Is(err, io.EOF) {
				fmt.Fprintln(s.stderr, "deadlinelint lsp:", err)
			}
			return 1
		}
		var msg message
		if err := json.Unmarshal(body, &msg); err != nil {
			s.reply(nil, nil, &responseError{Code: codeParseError, Message: err.Error()})
			continue
		}
		if msg.Method == "exit" {
			s.mu.Lock()
			done := s.shutdown
			s.mu.Unlock()
			if done {
				return 0
			}
			return 1
		}
		s.handle(&msg)
	}
}

// handle answers one request or notification. Analysis runs on the worker;
// everything else is answered here, in order.
func (s *server) handle(msg *message) {
	isRequest := msg.ID != nil
	s.mu.Lock()
	initialized, shutdown := s.initialized, s.shutdown
	s.mu.Unlock()
	if !initialized && msg.Method != "initialize" {
		if isRequest {
			s.reply(msg.ID, nil, &responseError{Code: codeServerNotInitialized, Message: "initialize first"})
		}
		return
	}
	if shutdown && isRequest {
		s.reply(msg.ID, nil, &responseError{Code: codeInvalidRequest, Message: "the server is shutting down"})
		return
	}
	switch msg.Method {
	case "initialize":
		var p initializeParams
		if err := json.Unmarshal(msg.Params, &p); err != nil {
			s.reply(msg.ID, nil, &responseError{Code: codeInvalidParams, Message: err.Error()})
			return
		}
		var opts Options
		if len(p.InitializationOptions) > 0 && string(p.InitializationOptions) != "null" {
			if err := json.Unmarshal(p.InitializationOptions, &opts); err != nil {
				s.reply(msg.ID, nil, &responseError{Code: codeInvalidParams, Message: "initializationOptions: " + err.Error()})
				return
			}
		}
		s.mu.Lock()
		s.flags, s.initialized = opts.Flags, true
		s.mu.Unlock()
		s.reply(msg.ID, map[string]any{
			"capabilities": map[string]any{
				"textDocumentSync": map[string]any{
					"openClose": true,
					"change":    0, // none: the server reads the files at save
					"save":      map[string]any{"includeText": false},
				},
				"codeActionProvider": map[string]any{"codeActionKinds": []string{"quickfix"}},
			},
			"serverInfo": map[string]any{"name": "deadlinelint"},
		}, nil)
	case "initialized":
	case "shutdown":
		s.mu.Lock()
		s.shutdown = true
		s.mu.Unlock()
		s.reply(msg.ID, nil, nil)
	case "textDocument/didOpen":
		var p didOpenParams
		if json.Unmarshal(msg.Params, &p) == nil {
			s.enqueue(p.TextDocument.URI)
		}
	case "textDocument/didSave":
		var p didSaveParams
		if json.Unmarshal(msg.Params, &p) == nil {
			s.enqueue(p.TextDocument.URI)
		}
	case "textDocument/didClose":
	case "textDocument/didChange":
	case "textDocument/codeAction":
		var p codeActionParams
		if err := json.Unmarshal(msg.Params, &p); err != nil {
			s.reply(msg.ID, nil, &responseError{Code: codeInvalidParams, Message: err.Error()})
			return
		}
		s.reply(msg.ID, s.codeActions(&p), nil)
	default:
		if isRequest {
			s.reply(msg.ID, nil, &responseError{Code: codeMethodNotFound, Message: "method not supported: " + msg.Method})
		}
		// Unknown notifications ($/cancelRequest, $/setTrace…) are ignored.
	}
}

// enqueue schedules the analysis of a Go file's package.
func (s *server) enqueue(uri string) {
	path, ok := uriPath(uri)
	if !ok || !strings.HasSuffix(path, ".go") {
		return
	}
	dir := filepath.Dir(path)
	s.mu.Lock()
	if s.pending == nil {
		s.pending = map[string]bool{}
	}
	queued := s.pending[dir]
	s.pending[dir] = true
	s.mu.Unlock()
	if !queued {
		s.queue <- dir
	}
}

func (s *server) worker() {
	for dir := range s.queue {
		s.mu.Lock()
		delete(s.pending, dir)
		flags := slices.Clone(s.flags)
		s.mu.Unlock()
		s.analyse(dir, flags)
	}
}

// analyse runs the analysis of the package in dir, or takes it from the
// cache, and publishes its diagnostics.
func (s *server) analyse(dir string, flags []string) {
	start := time.Now()
	key := cacheKey(dir, flags)
	s.mu.Lock()
	res := s.cache[dir]
	s.mu.Unlock()
	if res != nil && res.key == key {
		s.log(messageLog, fmt.Sprintf("deadlinelint: %s: unchanged, answered from the cache", dir))
	} else {
		var err error
		res, err = run(dir, flags, s.stderr)
		if err != nil {
			// A package that does not load (type errors, no module) gets
			// no findings; the reason goes to the editor's log.
			s.log(messageError, fmt.Sprintf("deadlinelint: %s: %v", dir, err))
		}
		if res == nil {
			res = &pkgResult{findings: map[string][]cli.Finding{}, files: map[string][]byte{}}
		}
		res.key = key
		s.mu.Lock()
		s.cache[dir] = res
		s.mu.Unlock()
		n := 0
		for _, fs := range res.findings {
			n += len(fs)
		}
		s.log(messageLog, fmt.Sprintf("deadlinelint: %s: analysed in %v, %d findings", dir, time.Since(start).Round(time.Millisecond), n))
	}
	s.publish(dir, res)
}

// run analyses the package in dir.
func run(dir string, flags []string, stderr io.Writer) (*pkgResult, error) {
	args := append([]string{"-C", dir}, flags...)
	args = append(args, ".")
	var notes bytes.Buffer
	r, err := cli.Analyze(args, &notes)
	if err != nil {
		return nil, err
	}
	if notes.Len() > 0 {
		stderr.Write(notes.Bytes())
	}
	res := &pkgResult{findings: map[string][]cli.Finding{}, files: map[string][]byte{}}
	for _, f := range r.Findings {
		if filepath.Dir(f.Abs()) != dir {
			continue // another package's (never expected: the pattern is ".")
		}
		res.findings[f.Abs()] = append(res.findings[f.Abs()], f)
		res.load(f.Abs())
		for _, r := range f.Related {
			res.load(r.Abs())
		}
		for _, fix := range f.Fixes {
			for _, e := range fix.Edits {
				res.load(e.Abs())
			}
		}
	}
	if len(r.Errors) > 0 {
		var msgs []string
		for _, e := range r.Errors {
			msgs = append(msgs, strings.TrimSpace(e.Package+": "+e.Message))
		}
		return res, errors.New(strings.Join(msgs, "; "))
	}
	return res, nil
}

// load remembers a file's content as it was analysed: positions and edits
// are converted against it. Only run calls it, before the result is shared:
// publishing and code actions read res.files from two goroutines.
func (res *pkgResult) load(path string) {
	if _, ok := res.files[path]; ok {
		return
	}
	data, err := os.ReadFile(path)
	if err == nil {
		res.files[path] = data
	}
}

// publish sends the diagnostics of every file of the package that has
// findings, and empty lists for files that had some and no longer do.
func (s *server) publish(dir string, res *pkgResult) {
	uris := map[string]bool{}
	for path := range res.findings {
		uris[fileURI(path)] = true
	}
	s.mu.Lock()
	old := s.published[dir]
	s.published[dir] = uris
	s.mu.Unlock()
	all := map[string]bool{}
	for u := range old {
		all[u] = true
	}
	for u := range uris {
		all[u] = true
	}
	// Files of the package without findings get an empty list too, so that
	// a client that opened one sees it was analysed.
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".go") {
			all[fileURI(filepath.Join(dir, e.Name()))] = true
		}
	}
	keys := make([]string, 0, len(all))
	for u := range all {
		keys = append(keys, u)
	}
	sort.Strings(keys)
	for _, u := range keys {
		path, _ := uriPath(u)
		diags := []diagnostic{}
		for _, f := range res.findings[path] {
			diags = append(diags, res.diagnostic(f))
		}
		s.notify("textDocument/publishDiagnostics", publishDiagnosticsParams{URI: u, Diagnostics: diags})
	}
}

// diagnostic converts a finding: positions to LSP's zero-based lines and
// UTF-16 columns, related positions attached.
func (res *pkgResult) diagnostic(f cli.Finding) diagnostic {
	content := res.files[f.Abs()]
	start := lineColPosition(content, f.Line, f.Column)
	end := start
	if f.EndLine > 0 {
		end = lineColPosition(content, f.EndLine, f.EndColumn)
	}
	d := diagnostic{
		Range:    lspRange{Start: start, End: end},
		Severity: severityWarning,
		Code:     f.Rule,
		Source:   "deadlinelint",
		Message:  f.Message,
	}
	if f.URL != "" {
		d.CodeDescription = &codeDescription{Href: f.URL}
	}
	for _, r := range f.Related {
		p := lineColPosition(res.files[r.Abs()], r.Line, r.Column)
		d.RelatedInformation = append(d.RelatedInformation, relatedInformation{
			Location: location{URI: fileURI(r.Abs()), Range: lspRange{Start: p, End: p}},
			Message:  r.Message,
		})
	}
	return d
}

// codeActions offers one quick fix per suggested fix of the findings whose
// range meets the requested one.
func (s *server) codeActions(p *codeActionParams) []codeAction {
	actions := []codeAction{}
	path, ok := uriPath(p.TextDocument.URI)
	if !ok {
		return actions
	}
	s.mu.Lock()
	res := s.cache[filepath.Dir(path)]
	s.mu.Unlock()
	if res == nil {
		return actions
	}
	for _, f := range res.findings[path] {
		d := res.diagnostic(f)
		if !overlaps(d.Range, p.Range) {
			continue
		}
		for _, fix := range f.Fixes {
			edit := workspaceEdit{Changes: map[string][]textEdit{}}
			for _, e := range fix.Edits {
				content := res.files[e.Abs()]
				u := fileURI(e.Abs())
				edit.Changes[u] = append(edit.Changes[u], textEdit{
					Range:   lspRange{Start: offsetPosition(content, e.Start), End: offsetPosition(content, e.End)},
					NewText: e.New,
				})
			}
			actions = append(actions, codeAction{
				Title:       fix.Message + " (" + f.Rule + ")",
				Kind:        "quickfix",
				Diagnostics: []diagnostic{d},
				IsPreferred: len(f.Fixes) == 1,
				Edit:        edit,
			})
		}
	}
	return actions
}

// overlaps reports whether two ranges share a position (a caret inside or
// at either end of a diagnostic counts).
func overlaps(a, b lspRange) bool {
	return !before(a.End, b.Start) && !before(b.End, a.Start)
}

func before(p, q position) bool {
	return p.Line < q.Line || p.Line == q.Line && p.Character < q.Character
}

// lineColPosition converts a 1-based line and 1-based byte column to an LSP
// position (0-based line, UTF-16 column).
func lineColPosition(content []byte, line, col int) position {
	if line < 1 {
		return position{}
	}
	start := 0
	for l := 1; l < line; l++ {
		i := bytes.IndexByte(content[start:], '\n')
		if i < 0 {
			return position{Line: line - 1, Character: max(col-1, 0)}
		}
		start += i + 1
	}
	end := start + max(col-1, 0)
	if end > len(content) {
		end = len(content)
	}
	return position{Line: line - 1, Character: utf16Len(content[start:end])}
}

// offsetPosition converts a byte offset to an LSP position.
func offsetPosition(content []byte, off int) position {
	off = min(max(off, 0), len(content))
	line := bytes.Count(content[:off], []byte("\n"))
	lineStart := bytes.LastIndexByte(content[:off], '\n') + 1
	return position{Line: line, Character: utf16Len(content[lineStart:off])}
}

func utf16Len(b []byte) int {
	n := 0
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		b = b[size:]
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// cacheKey identifies what an analysis of dir depends on: the flags, the
// content of the package's Go files, and the name, size and time of every
// other Go file and go.mod/go.sum of the module (a change in another
// package can change facts).
func cacheKey(dir string, flags []string) string {
	h := sha256.New()
	fmt.Fprintf(h, "%q\n", flags)
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".go") {
			continue
		}
		data, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		fmt.Fprintf(h, "%s %d\n", e.Name(), len(data))
		h.Write(data)
	}
	root := moduleRoot(dir)
	if root == "" {
		return hex.EncodeToString(h.Sum(nil))
	}
	filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() {
			if path != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "vendor") {
				return filepath.SkipDir
			}
			if path != root && fileExists(filepath.Join(path, "go.mod")) {
				return filepath.SkipDir // a nested module
			}
			return nil
		}
		if filepath.Dir(path) == dir || !(strings.HasSuffix(path, ".go") || d.Name() == "go.mod" || d.Name() == "go.sum") {
			return nil
		}
		if info, err := d.Info(); err == nil {
			fmt.Fprintf(h, "%s %d %d\n", path, info.Size(), info.ModTime().UnixNano())
		}
		return nil
	})
	return hex.EncodeToString(h.Sum(nil))
}

// moduleRoot returns the directory of the go.mod above dir, or "".
func moduleRoot(dir string) string {
	for d := dir; ; {
		if fileExists(filepath.Join(d, "go.mod")) {
			return d
		}
		parent := filepath.Dir(d)
		if parent == d {
			return ""
		}
		d = parent
	}
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// uriPath returns the file path of a file:// URI.
func uriPath(uri string) (string, bool) {
	u, err := url.Parse(uri)
	if err != nil || u.Scheme != "file" {
		return "", false
	}
	path := u.Path
	if runtime.GOOS == "windows" {
		path = strings.TrimPrefix(path, "/")
	}
	return filepath.Clean(filepath.FromSlash(path)), true
}

// fileURI returns the file:// URI of an absolute path.
func fileURI(path string) string {
	p := filepath.ToSlash(path)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	return (&url.URL{Scheme: "file", Path: p}).String()
}

// ReadMessage reads one Content-Length framed message (the body). The
// server, its tests and the bench's client share it.
func ReadMessage(r *bufio.Reader) ([]byte, error) {
	length := -1
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return nil, err
		}
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			break
		}
		name, value, ok := strings.Cut(line, ":")
		if ok && strings.EqualFold(strings.TrimSpace(name), "Content-Length") {
			n, err := strconv.Atoi(strings.TrimSpace(value))
			if err != nil || n < 0 {
				return nil, fmt.Errorf("bad Content-Length %q", value)
			}
			length = n
		}
	}
	if length < 0 {
		return nil, errors.New("message without Content-Length")
	}
	body := make([]byte, length)
	if _, err := io.ReadFull(r, body); err != nil {
		return nil, err
	}
	return body, nil
}

func (s *server) write(msg message) {
	msg.JSONRPC = "2.0"
	data, err := json.Marshal(msg)
	if err != nil {
		fmt.Fprintln(s.stderr, "deadlinelint lsp:", err)
		return
	}
	s.outMu.Lock()
	defer s.outMu.Unlock()
	WriteMessage(s.out, data)
}

// WriteMessage writes one message body with its Content-Length header.
func WriteMessage(w io.Writer, body []byte) error {
	_, err := fmt.Fprintf(w, "Content-Length: %d\r\n\r\n%s", len(body), body)
	return err
}

// reply answers a request. A nil result is sent as null (shutdown's).
func (s *server) reply(id *json.RawMessage, result any, err *responseError) {
	if id == nil {
		null := json.RawMessage("null")
		id = &null
	}
	if err != nil {
		s.write(message{ID: id, Error: err})
		return
	}
	if result == nil {
		// {"result": null} (shutdown's): a nil result would be omitted.
		result = json.RawMessage("null")
	}
	s.write(message{ID: id, Result: result})
}

func (s *server) notify(method string, params any) {
	data, err := json.Marshal(params)
	if err != nil {
		return
	}
	s.write(message{Method: method, Params: data})
}

func (s *server) log(typ int, msg string) {
	s.notify("window/logMessage", logMessageParams{Type: typ, Message: msg})
}
