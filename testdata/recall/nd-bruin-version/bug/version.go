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
	"net/http"
	"strings"
)

func VersionCmd(commit string) *Command {
	return &Command{
		Name: "version",
		Flags: []Flag{
			&StringFlag{
				Name:    "output",
				Aliases: []string{"o"},
				Usage:   "the output type, possible values are: plain, json",
			},
		},
		Action: func(c *Context) error {
			outputFormat := c.String("output")
			version := c.App.Version
			res, err := http.Get("https://github.com/bruin-data/bruin/releases/latest") //nolint
			if err != nil {
				return fmt.Errorf("failed to check the latest version: %w", err)
			}
			defer res.Body.Close()
			latest := strings.TrimPrefix(res.Request.URL.String(), "https://github.com/bruin-data/bruin/releases/tag/")

			if outputFormat == "json" {
				output := struct {
					Version string `json:"version"`
					Commit  string `json:"commit"`
					Latest  string `json:"latest"`
				}{
					Version: version,
					Commit:  commit,
					Latest:  latest,
				}

				outputString, err := json.Marshal(output)
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
