package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Baselines let a large codebase adopt the linter without fixing everything
// first: -write-baseline=FILE records today's findings; -baseline=FILE
// reports only findings not in FILE. A finding is keyed by file, analyzer,
// message and the text of its line (not its line number), so edits elsewhere
// in the file do not resurrect it. The tool runs itself with -json and
// filters; under go vet, use golangci-lint's new-from-rev instead.

type baselineEntry struct {
	File     string `json:"file"`
	Analyzer string `json:"analyzer"`
	Message  string `json:"message"`
	Line     string `json:"line"`
}

type finding struct {
	baselineEntry
	lineNo, col int
}

type baselineFile struct {
	Version  int             `json:"version"`
	Findings []baselineEntry `json:"findings"`
}

// baselineArgs extracts -baseline / -write-baseline from args.
func baselineArgs(args []string) (rest []string, read, write string) {
	for _, a := range args {
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if strings.HasPrefix(a, "-") && hasValue && (name == "baseline" || name == "write-baseline") {
			if name == "baseline" {
				read = value
			} else {
				write = value
			}
			continue
		}
		rest = append(rest, a)
	}
	return rest, read, write
}

// runBaseline runs the linter on args with -json and compares with or writes
// the baseline. It returns the process exit code.
func runBaseline(args []string, read, write string) int {
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintln(os.Stderr, "deadlinelint:", err)
		return 1
	}
	var stdout bytes.Buffer
	cmd := exec.Command(exe, append([]string{"-json"}, args...)...)
	cmd.Stdout, cmd.Stderr = &stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return exit.ExitCode() // load or type errors: already printed
		}
		fmt.Fprintln(os.Stderr, "deadlinelint:", err)
		return 1
	}
	found, err := parseJSON(stdout.Bytes())
	if err != nil {
		fmt.Fprintln(os.Stderr, "deadlinelint: reading -json output:", err)
		return 1
	}
	if write != "" {
		entries := make([]baselineEntry, len(found))
		for i, f := range found {
			entries[i] = f.baselineEntry
		}
		data, _ := json.MarshalIndent(baselineFile{Version: 1, Findings: entries}, "", "\t")
		if err := os.WriteFile(write, append(data, '\n'), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "deadlinelint:", err)
			return 1
		}
		fmt.Fprintf(os.Stderr, "deadlinelint: wrote %d findings to %s\n", len(found), write)
		return 0
	}
	data, err := os.ReadFile(read)
	if err != nil {
		fmt.Fprintln(os.Stderr, "deadlinelint: -baseline:", err)
		return 1
	}
	var base baselineFile
	if err := json.Unmarshal(data, &base); err != nil || base.Version != 1 {
		fmt.Fprintf(os.Stderr, "deadlinelint: -baseline: %s is not a deadlinelint baseline (version 1): %v\n", read, err)
		return 1
	}
	known := map[baselineEntry]int{}
	for _, e := range base.Findings {
		known[e]++
	}
	fresh := 0
	for _, f := range found {
		if known[f.baselineEntry] > 0 {
			known[f.baselineEntry]--
			continue
		}
		fresh++
		fmt.Printf("%s:%d:%d: %s\n", f.File, f.lineNo, f.col, f.Message)
	}
	if fresh > 0 {
		fmt.Fprintf(os.Stderr, "deadlinelint: %d new findings (%d in the baseline)\n", fresh, len(base.Findings))
		return 3
	}
	return 0
}

// parseJSON reads multichecker's -json tree: package → analyzer → diagnostics.
func parseJSON(data []byte) ([]finding, error) {
	var tree map[string]map[string]json.RawMessage
	if err := json.Unmarshal(data, &tree); err != nil {
		return nil, err
	}
	wd, _ := os.Getwd()
	lines := map[string][]string{}
	var out []finding
	for _, byAnalyzer := range tree {
		for analyzer, raw := range byAnalyzer {
			var diags []struct {
				Posn    string `json:"posn"`
				Message string `json:"message"`
			}
			if json.Unmarshal(raw, &diags) != nil {
				continue // {"error": …}: printed by the driver on stderr
			}
			for _, d := range diags {
				file, lineNo, col := splitPosn(d.Posn)
				rel := file
				if r, err := filepath.Rel(wd, file); err == nil && !strings.HasPrefix(r, "..") {
					rel = filepath.ToSlash(r)
				}
				if _, ok := lines[file]; !ok {
					lines[file] = readLines(file)
				}
				text := ""
				if l := lines[file]; lineNo >= 1 && lineNo <= len(l) {
					text = strings.TrimSpace(l[lineNo-1])
				}
				out = append(out, finding{baselineEntry{rel, analyzer, d.Message, text}, lineNo, col})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.lineNo != b.lineNo {
			return a.lineNo < b.lineNo
		}
		if a.col != b.col {
			return a.col < b.col
		}
		return a.Analyzer+a.Message < b.Analyzer+b.Message
	})
	return out, nil
}

func splitPosn(posn string) (file string, line, col int) {
	// file:line:col, where file may itself contain colons
	i := strings.LastIndex(posn, ":")
	j := strings.LastIndex(posn[:max(i, 0)], ":")
	if i < 0 || j < 0 {
		return posn, 0, 0
	}
	line, _ = strconv.Atoi(posn[j+1 : i])
	col, _ = strconv.Atoi(posn[i+1:])
	return posn[:j], line, col
}

func readLines(file string) []string {
	f, err := os.Open(file)
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	return out
}
