// Package recall scores deadlinelint on its recall suite: real upstream bug
// fixes reduced to small packages under testdata/recall, each case a bug/
// package (the code before the fix) and a fixed/ package (after it). A case
// is caught when its rule reports in bug/; a finding of that rule in fixed/
// is a false positive. The suite is measured by `go run ./bench -recall`
// and guarded by a test of the command.
package recall

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// A Case is one upstream fix, described by the header of its bug/ files.
type Case struct {
	ID, Rule, Source, Link, Bug string
}

// A Finding is what the command reported: a rule at a file (relative to
// the suite's root, slash-separated) and line.
type Finding struct {
	Rule, File, Message string
	Line                int
}

// A Result is a case with what the command said about it.
type Result struct {
	Case
	Caught        bool
	FalsePositive []Finding // the case's rule, in fixed/
	Other         []Finding // other rules, in fixed/ (listed, not counted)
}

// Load reads every case below dir.
func Load(dir string) ([]Case, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var cases []Case
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		files, _ := filepath.Glob(filepath.Join(dir, e.Name(), "bug", "*.go"))
		if len(files) == 0 {
			continue
		}
		c := Case{ID: e.Name()}
		for _, f := range files {
			if err := readHeader(f, &c); err != nil {
				return nil, err
			}
		}
		if c.Rule == "" || c.Source == "" {
			return nil, fmt.Errorf("case %s: its bug/ files need // Rule: and // Source: header lines", c.ID)
		}
		if fixed, _ := filepath.Glob(filepath.Join(dir, e.Name(), "fixed", "*.go")); len(fixed) == 0 {
			return nil, fmt.Errorf("case %s has no fixed/ twin", c.ID)
		}
		cases = append(cases, c)
	}
	return cases, nil
}

func readHeader(file string, c *Case) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "//") {
			break
		}
		key, value, ok := strings.Cut(strings.TrimSpace(strings.TrimPrefix(line, "//")), ":")
		if !ok {
			continue
		}
		value = strings.TrimSpace(value)
		switch key {
		case "Rule":
			c.Rule = value
		case "Source":
			c.Source = value
		case "Link":
			c.Link = value
		case "Bug":
			c.Bug = value
		}
	}
	return sc.Err()
}

// Score matches findings to cases.
func Score(cases []Case, findings []Finding) []Result {
	byCase := map[string][]Finding{}
	for _, f := range findings {
		id, _, _ := strings.Cut(f.File, "/")
		byCase[id] = append(byCase[id], f)
	}
	var out []Result
	for _, c := range cases {
		r := Result{Case: c}
		for _, f := range byCase[c.ID] {
			inBug := strings.HasPrefix(f.File, c.ID+"/bug/")
			switch {
			case inBug && f.Rule == c.Rule:
				r.Caught = true
			case !inBug && f.Rule == c.Rule:
				r.FalsePositive = append(r.FalsePositive, f)
			case !inBug:
				r.Other = append(r.Other, f)
			}
		}
		out = append(out, r)
	}
	return out
}

// Totals counts cases, caught cases and cases with a false positive.
type Totals struct{ Cases, Caught, FalsePositives int }

// ByRule sums results per rule, and over all under "all".
func ByRule(results []Result) map[string]Totals {
	t := map[string]Totals{}
	for _, r := range results {
		for _, k := range []string{r.Rule, "all"} {
			v := t[k]
			v.Cases++
			if r.Caught {
				v.Caught++
			}
			if len(r.FalsePositive) > 0 {
				v.FalsePositives++
			}
			t[k] = v
		}
	}
	return t
}

// Table renders the per-rule totals as a markdown table, rules in order.
func Table(results []Result, rules []string) string {
	t := ByRule(results)
	var b strings.Builder
	b.WriteString("| rule | cases | caught | recall | fixed twins reported |\n|---|---|---|---|---|\n")
	for _, rule := range append(rules, "all") {
		v := t[rule]
		if v.Cases == 0 {
			continue
		}
		fmt.Fprintf(&b, "| %s | %d | %d | %.0f%% | %d |\n", rule, v.Cases, v.Caught, 100*float64(v.Caught)/float64(v.Cases), v.FalsePositives)
	}
	return b.String()
}

// Misses lists the cases not caught, and the false positives, for reading.
func Misses(results []Result) string {
	var lines []string
	for _, r := range results {
		if !r.Caught {
			lines = append(lines, fmt.Sprintf("MISS %s (%s): %s", r.ID, r.Rule, r.Bug))
		}
		for _, f := range r.FalsePositive {
			lines = append(lines, fmt.Sprintf("FP   %s:%d (%s): %s", f.File, f.Line, f.Rule, f.Message))
		}
		for _, f := range r.Other {
			lines = append(lines, fmt.Sprintf("note %s:%d (%s): %s", f.File, f.Line, f.Rule, f.Message))
		}
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}
