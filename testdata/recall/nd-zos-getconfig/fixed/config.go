// Recall case nd-zos-getconfig
// Source: github.com/threefoldtech/zos commit 0c1ccb21844e6aaeb8895dcf1f8f22232765e7ed (pkg/environment/config.go)
// Link: https://github.com/threefoldtech/zos/commit/0c1ccb21844e6aaeb8895dcf1f8f22232765e7ed
// Bug: getConfig fetches the extended node config with http.Get, i.e. http.DefaultClient without any timeout, so an unresponsive config server blocks GetConfig forever.
// Fix: GetConfig builds an http.Client with a 10s Timeout and passes it to getConfig, which uses httpClient.Get.
// Rule: nodeadline
package environment

import (
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"sort"
	"strings"
	"time"
)

// RunMode is the node running mode.
type RunMode string

const (
	defaultHttpTimeout = 10 * time.Second
)

const baseExtendedURL = "https://raw.githubusercontent.com/threefoldtech/zos-config/main/"

// Environment is the subset of the node environment used here.
type Environment struct {
	RunningMode       RunMode
	ExtendedConfigURL string
}

// Get returns the node environment (stand-in: read from process env).
func Get() (Environment, error) {
	mode := os.Getenv("ZOS_RUNMODE")
	if mode == "" {
		mode = "production"
	}
	return Environment{
		RunningMode:       RunMode(mode),
		ExtendedConfigURL: os.Getenv("ZOS_CONFIG_URL"),
	}, nil
}

// Config is configuration set by the organization
type Config struct {
	Yggdrasil struct {
		Peers []string `json:"peers"`
	} `json:"yggdrasil"`
	Mycelium struct {
		Peers []string `json:"peers"`
	} `json:"mycelium"`
}

// Merge, updates current config with cfg merging and override config
// based on some update rules.
func (c *Config) Merge(cfg Config) {
	c.Yggdrasil.Peers = uniqueStr(append(c.Yggdrasil.Peers, cfg.Yggdrasil.Peers...))
	// sort peers for easier comparison
	sort.Strings(c.Yggdrasil.Peers)
}

// GetConfig returns extend config for specific run mode
func GetConfig() (base Config, err error) {
	env, err := Get()
	if err != nil {
		return
	}

	httpClient := &http.Client{
		Timeout: defaultHttpTimeout,
	}

	base, err = getConfig(env.RunningMode, baseExtendedURL, httpClient)
	if err != nil {
		return
	}
	if env.ExtendedConfigURL != "" {
		custom, err := getConfig(env.RunningMode, env.ExtendedConfigURL, httpClient)
		if err != nil {
			log.Printf("fetching the config from the env config-url failed: %v", err)
		}
		base.Merge(custom)
	}

	return base, nil
}

func uniqueStr(slice []string) []string {
	keys := make(map[string]struct{})
	list := slice[:0]
	for _, entry := range slice {
		if _, exists := keys[entry]; !exists {
			keys[entry] = struct{}{}
			list = append(list, entry)
		}
	}
	return list
}

func getConfig(run RunMode, url string, httpClient *http.Client) (ext Config, err error) {
	if !strings.HasSuffix(url, "/") {
		url += "/"
	}
	u := url + fmt.Sprintf("%s.json", run)

	response, err := httpClient.Get(u)
	if err != nil {
		return ext, err
	}

	defer func() {
		_, _ = io.ReadAll(response.Body)
	}()

	if response.StatusCode != http.StatusOK {
		return ext, fmt.Errorf("failed to get extended config: %s", response.Status)
	}

	if err := json.NewDecoder(response.Body).Decode(&ext); err != nil {
		return ext, fmt.Errorf("failed to decode extended settings: %w", err)
	}

	return
}
