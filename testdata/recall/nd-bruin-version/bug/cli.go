// Recall case nd-bruin-version
// Source: github.com/bruin-data/bruin commit 1cba56ab366fe61ca4b7fa0b687f377ca782e638 (cmd/version.go)
// Link: https://github.com/bruin-data/bruin/commit/1cba56ab366fe61ca4b7fa0b687f377ca782e638
// Bug: the `version` command checks the latest release with http.Get (http.DefaultClient, no Timeout, no context), so the CLI hangs indefinitely when GitHub is slow or unreachable.
// Fix: the lookup moved to fetchLatestVersion, which uses an http.Client with Timeout (default 5s, --timeout flag) and degrades to "<unknown>" on error.
// Rule: nodeadline
package cmd

import "time"

// Minimal stand-in for github.com/urfave/cli/v2.

type App struct {
	Version string
}

type Flag interface{ flagName() string }

type StringFlag struct {
	Name    string
	Aliases []string
	Usage   string
	Value   string
}

func (f *StringFlag) flagName() string { return f.Name }

type DurationFlag struct {
	Name  string
	Usage string
	Value time.Duration
}

func (f *DurationFlag) flagName() string { return f.Name }

type Context struct {
	App       *App
	strings   map[string]string
	durations map[string]time.Duration
	bools     map[string]bool
}

func (c *Context) String(name string) string          { return c.strings[name] }
func (c *Context) Duration(name string) time.Duration { return c.durations[name] }
func (c *Context) Bool(name string) bool              { return c.bools[name] }

type Command struct {
	Name   string
	Flags  []Flag
	Action func(c *Context) error
}
