// Recall case nd-bruin-version
// Source: github.com/bruin-data/bruin commit 1cba56ab366fe61ca4b7fa0b687f377ca782e638 (cmd/version.go)
// Link: https://github.com/bruin-data/bruin/commit/1cba56ab366fe61ca4b7fa0b687f377ca782e638
// Bug: the `version` command checks the latest release with http.Get (http.DefaultClient, no Timeout, no context), so the CLI hangs indefinitely when GitHub is slow or unreachable.
// Fix: the lookup moved to fetchLatestVersion, which uses an http.Client with Timeout (default 5s, --timeout flag) and degrades to "<unknown>" on error.
// Rule: nodeadline
package cmd

import (
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"strings"
	"time"
)

type VersionInfo struct {
	Version string `json:"version"`
	Commit  string `json:"commit"`
	Latest  string `json:"latest"`
}

func VersionCmd(commit string) *Command {
	return &Command{
		Name: "version",
		Flags: []Flag{
			&StringFlag{
				Name:    "output",
				Aliases: []string{"o"},
				Usage:   "the output type, possible values are: plain, json",
			},
			&DurationFlag{
				Name:  "timeout",
				Usage: "timeout for fetching version info in seconds",
				Value: 5 * time.Second,
			},
		},
		Action: func(c *Context) error {
			timeout := c.Duration("timeout")
			debug := c.Bool("debug")
			latest := fetchLatestVersion(timeout, makeLogger(debug))
			version := c.App.Version
			outputFormat := c.String("output")

			if outputFormat == "json" {
				outputString, err := json.Marshal(
					VersionInfo{version, commit, latest},
				)
				if err != nil {
					return fmt.Errorf("failed to marshal the output: %w", err)
				}
				fmt.Println(string(outputString))

				return nil
			}

			fmt.Printf("Current: %s (%s)\n", c.App.Version, commit)
			fmt.Println("Latest: " + latest)
			return nil
		},
	}
}

// makeLogger is a stand-in for the zap-based debug logger.
func makeLogger(debug bool) *log.Logger {
	if debug {
		return log.New(os.Stderr, "", log.LstdFlags)
	}
	return log.New(io.Discard, "", 0)
}

func fetchLatestVersion(timeout time.Duration, logger *log.Logger) string {
	httpClient := &http.Client{
		Timeout: timeout,
	}
	res, err := httpClient.Get("https://github.com/bruin-data/bruin/releases/latest") //nolint
	if err != nil {
		logger.Printf("error fetching version information: %v", err)
		return "<unknown: error fetching version information>"
	}
	res.Body.Close()
	return strings.TrimPrefix(res.Request.URL.String(), "https://github.com/bruin-data/bruin/releases/tag/")
}
