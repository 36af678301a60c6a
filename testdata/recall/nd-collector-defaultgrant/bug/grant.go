// Recall case nd-collector-defaultgrant
// Source: github.com/pganalyze/collector commit 44bb41046d816d6b478861d2bb9684154a5fce10 (grant/default.go)
// Link: https://github.com/pganalyze/collector/commit/44bb41046d816d6b478861d2bb9684154a5fce10
// Bug: GetDefaultGrant builds the snapshot-API request with http.NewRequest (no context), so processServer's ctx never reaches the HTTP call and a stalled pganalyze API cannot be cancelled (e.g. on SIGINT).
// Fix: GetDefaultGrant takes ctx and uses http.NewRequestWithContext; processServer passes its ctx.
// Rule: nodeadline
package grant

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// Config is a reduced stand-in for the collector's config.ServerConfig.
type Config struct {
	APIBaseURL          string
	APIKey              string
	SystemID            string
	SystemType          string
	HTTPClientWithRetry *http.Client
}

type Grant struct {
	Valid  bool
	Config struct {
		ServerID  string `json:"server_id"`
		SentryDsn string `json:"sentry_dsn"`
	} `json:"config"`
}

type Server struct {
	Config *Config
	Grant  Grant
}

type CollectionOpts struct {
	ForceEmptyGrant bool
}

type Logger struct{}

func (l *Logger) PrintVerbose(format string, args ...any) {}

func GetDefaultGrant(server *Server, globalCollectionOpts CollectionOpts, logger *Logger) (Grant, error) {
	req, err := http.NewRequest("GET", server.Config.APIBaseURL+"/v2/snapshots/grant", nil)
	if err != nil {
		return Grant{}, err
	}

	req.Header.Set("Pganalyze-Api-Key", server.Config.APIKey)
	req.Header.Set("Pganalyze-System-Id", server.Config.SystemID)
	req.Header.Set("Pganalyze-System-Type", server.Config.SystemType)
	req.Header.Add("Accept", "application/json")

	resp, err := server.Config.HTTPClientWithRetry.Do(req)
	if err != nil {
		return Grant{}, err
	}
	defer resp.Body.Close()

	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return Grant{}, err
	}

	if resp.StatusCode != http.StatusOK || len(body) == 0 {
		return Grant{}, fmt.Errorf("Error when getting grant: %s", body)
	}

	grant := Grant{}
	err = json.Unmarshal(body, &grant)
	if err != nil {
		return Grant{}, err
	}
	grant.Valid = true

	return grant, nil
}

func processServer(ctx context.Context, server *Server, globalCollectionOpts CollectionOpts, logger *Logger) (Grant, error) {
	var newGrant Grant
	var err error

	if !globalCollectionOpts.ForceEmptyGrant {
		// Note: In case of server errors, we should reuse the old grant if its still recent (i.e. less than 50 minutes ago)
		newGrant, err = GetDefaultGrant(server, globalCollectionOpts, logger)
		if err != nil {
			if server.Grant.Valid {
				logger.PrintVerbose("Could not acquire snapshot grant, reusing previous grant: %s", err)
			} else {
				return Grant{}, err
			}
		} else {
			server.Grant = newGrant
		}
	}

	return collectDiffAndSubmit(ctx, server)
}

func collectDiffAndSubmit(ctx context.Context, server *Server) (Grant, error) {
	if err := ctx.Err(); err != nil {
		return Grant{}, err
	}
	return server.Grant, nil
}
