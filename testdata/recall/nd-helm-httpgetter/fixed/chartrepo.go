// Recall case nd-helm-httpgetter
// Source: github.com/helm/helm commit 2011a3191c814ed976b05cb44aa7e9277383422c (pkg/repo/chartrepo.go)
// Link: https://github.com/helm/helm/pull/12203
// Bug: ChartRepository.DownloadIndexFile -> HTTPGetter.Get -> http.Client{Timeout: 0}.Do(http.NewRequest(...)) has no timeout and no ctx, so `helm repo add/update` hangs forever on a stalled repo server.
// Fix: the http/https Provider.New appends a default WithTimeout(120s) option, so the getter http.Client gets a Timeout.
// Rule: nodeadline

package getter

import (
	"fmt"
	"io"
	"net/url"
	"path"
)

// Entry represents a collection of parameters for chart repository
type Entry struct {
	Name               string `json:"name"`
	URL                string `json:"url"`
	Username           string `json:"username"`
	Password           string `json:"password"`
	PassCredentialsAll bool   `json:"pass_credentials_all"`
}

// ChartRepository represents a chart repository
type ChartRepository struct {
	Config *Entry
	Client Getter
}

// NewChartRepository constructs ChartRepository
func NewChartRepository(cfg *Entry, getters Providers) (*ChartRepository, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("invalid chart URL format: %s", cfg.URL)
	}

	client, err := getters.ByScheme(u.Scheme)
	if err != nil {
		return nil, fmt.Errorf("could not find protocol handler for: %s", u.Scheme)
	}

	return &ChartRepository{
		Config: cfg,
		Client: client,
	}, nil
}

// DownloadIndexFile fetches the index from a repository.
func (r *ChartRepository) DownloadIndexFile() ([]byte, error) {
	indexURL, err := ResolveReferenceURL(r.Config.URL, "index.yaml")
	if err != nil {
		return nil, err
	}

	resp, err := r.Client.Get(indexURL,
		WithURL(r.Config.URL),
		WithBasicAuth(r.Config.Username, r.Config.Password),
		WithPassCredentialsAll(r.Config.PassCredentialsAll),
	)
	if err != nil {
		return nil, err
	}

	return io.ReadAll(resp)
}

// ResolveReferenceURL resolves refURL relative to baseURL.
func ResolveReferenceURL(baseURL, refURL string) (string, error) {
	parsedBaseURL, err := url.Parse(baseURL)
	if err != nil {
		return "", fmt.Errorf("failed to parse %s as URL: %w", baseURL, err)
	}
	parsedBaseURL.Path = path.Join(parsedBaseURL.Path, refURL)
	return parsedBaseURL.String(), nil
}

// RepoUpdate is the entry point used by `helm repo update`.
func RepoUpdate(cfg *Entry) ([]byte, error) {
	r, err := NewChartRepository(cfg, All())
	if err != nil {
		return nil, err
	}
	return r.DownloadIndexFile()
}
