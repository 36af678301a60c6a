// Recall case nd-subfinder-crtshsql
// Source: github.com/projectdiscovery/subfinder commit 7df3d9bc7f01867d3c530350ed760ff1d4d3078d (v2/pkg/subscraping/sources/crtsh/crtsh.go)
// Link: https://github.com/projectdiscovery/subfinder/commit/7df3d9bc7f01867d3c530350ed760ff1d4d3078d
// Bug: getSubdomainsFromSQL has the caller's ctx but runs the crt.sh Postgres query with db.Query (no context), so a lost connection blocks the source goroutine forever and cancelling/timeouts of the enumeration never reach the query.
// Fix: the query is issued with db.QueryContext(ctx, ...) so it is bounded by the caller's context.
// Rule: nodeadline
package crtsh

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

type subdomain struct {
	ID        int    `json:"id"`
	NameValue string `json:"name_value"`
}

// Source is the passive scraping agent
type Source struct {
	timeTaken time.Duration
	errors    int
	results   int
}

// Run function returns all subdomains found with the service
func (s *Source) Run(ctx context.Context, domain string, session *Session) <-chan Result {
	results := make(chan Result)
	s.errors = 0
	s.results = 0

	go func() {
		defer func(startTime time.Time) {
			s.timeTaken = time.Since(startTime)
			close(results)
		}(time.Now())

		count := s.getSubdomainsFromSQL(ctx, domain, session, results)
		if count > 0 {
			return
		}
		_ = s.getSubdomainsFromHTTP(ctx, domain, session, results)
	}()

	return results
}

func (s *Source) getSubdomainsFromSQL(ctx context.Context, domain string, session *Session, results chan Result) int {
	db, err := sql.Open("postgres", "host=crt.sh user=guest dbname=certwatch sslmode=disable binary_parameters=yes")
	if err != nil {
		results <- Result{Source: s.Name(), Type: Error, Error: err}
		s.errors++
		return 0
	}

	defer db.Close()

	limitClause := ""
	if all, ok := ctx.Value(ContextArg("All")).(ContextArg); ok {
		if allBool, err := strconv.ParseBool(string(all)); err == nil && !allBool {
			limitClause = "LIMIT 10000"
		}
	}

	query := fmt.Sprintf(`WITH ci AS (
				SELECT min(sub.CERTIFICATE_ID) ID,
					min(sub.ISSUER_CA_ID) ISSUER_CA_ID,
					array_agg(DISTINCT sub.NAME_VALUE) NAME_VALUES
					FROM (SELECT *
							FROM certificate_and_identities cai
							WHERE plainto_tsquery('certwatch', $1) @@ identities(cai.CERTIFICATE)
								AND cai.NAME_VALUE ILIKE ('%%' || $1 || '%%')
								%s
						) sub
					GROUP BY sub.CERTIFICATE
			)
			SELECT array_to_string(ci.NAME_VALUES, chr(10)) NAME_VALUE
				FROM ci, ca
				WHERE ci.ISSUER_CA_ID = ca.ID;`, limitClause)
	rows, err := db.Query(query, domain)
	if err != nil {
		results <- Result{Source: s.Name(), Type: Error, Error: err}
		s.errors++
		return 0
	}
	if err := rows.Err(); err != nil {
		results <- Result{Source: s.Name(), Type: Error, Error: err}
		s.errors++
		return 0
	}

	var count int
	var data string
	// Parse all the rows getting subdomains
	for rows.Next() {
		err := rows.Scan(&data)
		if err != nil {
			results <- Result{Source: s.Name(), Type: Error, Error: err}
			s.errors++
			return count
		}

		count++
		for _, subdomain := range strings.Split(data, "\n") {
			for _, value := range session.Extractor.Extract(subdomain) {
				if value != "" {
					results <- Result{Source: s.Name(), Type: Subdomain, Value: value}
					s.results++
				}
			}
		}
	}
	return count
}

func (s *Source) getSubdomainsFromHTTP(ctx context.Context, domain string, session *Session, results chan Result) bool {
	resp, err := session.SimpleGet(ctx, fmt.Sprintf("https://crt.sh/?q=%%25.%s&output=json", domain))
	if err != nil {
		results <- Result{Source: s.Name(), Type: Error, Error: err}
		s.errors++
		session.DiscardHTTPResponse(resp)
		return false
	}

	var subdomains []subdomain
	err = json.NewDecoder(resp.Body).Decode(&subdomains)
	if err != nil {
		results <- Result{Source: s.Name(), Type: Error, Error: err}
		s.errors++
		resp.Body.Close()
		return false
	}
	resp.Body.Close()

	for _, subdomain := range subdomains {
		for _, sub := range strings.Split(subdomain.NameValue, "\n") {
			for _, value := range session.Extractor.Extract(sub) {
				if value != "" {
					results <- Result{Source: s.Name(), Type: Subdomain, Value: value}
				}
			}
			s.results++
		}
	}

	return true
}

// Name returns the name of the source
func (s *Source) Name() string {
	return "crtsh"
}

// local stand-in for github.com/projectdiscovery/subfinder/v2/pkg/subscraping and
// github.com/projectdiscovery/utils/context

// ContextArg is a context value type.
type ContextArg string

// ResultType is the type of a scraping result.
type ResultType int

const (
	Subdomain ResultType = iota
	Error
)

// Result is a result structure returned by a source
type Result struct {
	Type   ResultType
	Source string
	Value  string
	Error  error
}

// Extractor extracts subdomains from text.
type Extractor interface {
	Extract(text string) []string
}

// Session is the option passed to the source, an option is created
// uniquely for each source.
type Session struct {
	Extractor Extractor
	Client    *http.Client
}

// SimpleGet makes a simple GET request to a URL
func (s *Session) SimpleGet(ctx context.Context, getURL string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, getURL, nil)
	if err != nil {
		return nil, err
	}
	return s.Client.Do(req)
}

// DiscardHTTPResponse discards the response content by demand
func (s *Session) DiscardHTTPResponse(response *http.Response) {
	if response != nil {
		response.Body.Close()
	}
}
