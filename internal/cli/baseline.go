package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

// Baselines let a large codebase adopt the linter without fixing everything
// first: -write-baseline FILE records today's findings; -baseline FILE
// reports only findings not in FILE. A finding is keyed by its file
// (relative to the module root, so the run's working directory does not
// matter), rule, message and the text of its line (not the line number), so
// that edits elsewhere in the file do not bring it back.

type baselineEntry struct {
	File     string `json:"file"`
	Analyzer string `json:"analyzer"`
	Message  string `json:"message"`
	Line     string `json:"line"`
}

type baselineFile struct {
	Version  int             `json:"version"`
	Findings []baselineEntry `json:"findings"`
}

func baselineKey(f Finding, lines sourceLines) baselineEntry {
	return baselineEntry{File: f.File, Analyzer: f.Rule, Message: f.Message, Line: strings.TrimSpace(lines.line(f.abs, f.Line))}
}

func writeBaseline(path string, fs []Finding, lines sourceLines) error {
	entries := make([]baselineEntry, len(fs))
	for i, f := range fs {
		entries[i] = baselineKey(f, lines)
	}
	data, err := json.MarshalIndent(baselineFile{Version: 1, Findings: entries}, "", "\t")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o644)
}

// filterBaseline drops the findings the baseline at path knows. Each entry
// hides one finding: the same line text twice in a file needs two entries.
func filterBaseline(path string, fs []Finding, lines sourceLines) (fresh []Finding, known int, err error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, 0, err
	}
	var base baselineFile
	if err := json.Unmarshal(data, &base); err != nil || base.Version != 1 {
		return nil, 0, fmt.Errorf("%s is not a deadlinelint baseline (version 1): %v", path, err)
	}
	count := map[baselineEntry]int{}
	for _, e := range base.Findings {
		count[e]++
	}
	for _, f := range fs {
		if k := baselineKey(f, lines); count[k] > 0 {
			count[k]--
			continue
		}
		fresh = append(fresh, f)
	}
	return fresh, len(base.Findings), nil
}
