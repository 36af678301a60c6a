// Recall case nd-infra-sshauthkeys
// Source: github.com/infrahq/infra commit c0ba36b3cc32f574d5a3cc3ff64b47cbc7d4e22b (internal/cmd/sshauthkeys.go)
// Link: https://github.com/infrahq/infra/commit/c0ba36b3cc32f574d5a3cc3ff64b47cbc7d4e22b
// Bug: runSSHDAuthKeys (run by sshd as AuthorizedKeysCommand) uses context.Background() and an api.Client whose http.Client has no Timeout, so the ListUsers/ListGrants API calls can hang forever if the server stalls.
// Fix: set client.HTTP.Timeout = time.Minute before making the API calls.
// Rule: nodeadline
package sshauthkeys

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// Client is a reduced stand-in for infra's api.Client.
type Client struct {
	Name      string
	URL       string
	AccessKey string
	HTTP      http.Client
}

type User struct {
	ID           string
	Name         string
	SSHLoginName string
	PublicKeys   []PublicKey
}

type PublicKey struct {
	KeyType   string
	PublicKey string
}

type Grant struct{ ID string }

type ListResponse[T any] struct {
	Items []T `json:"items"`
}

func (c *Client) buildRequest(ctx context.Context, method, path string, query url.Values) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.URL+path, nil)
	if err != nil {
		return nil, err
	}
	req.URL.RawQuery = query.Encode()
	req.Header.Add("Authorization", "Bearer "+c.AccessKey)
	req.Header.Set("Accept", "application/json")
	return req, nil
}

func request[Res any](client Client, req *http.Request) (*Res, error) {
	resp, err := client.HTTP.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %q: %w", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()

	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("reading response: %w", err)
	}
	var resBody Res
	if err := json.Unmarshal(body, &resBody); err != nil {
		return nil, fmt.Errorf("parsing json response: %w", err)
	}
	return &resBody, nil
}

func get[Res any](ctx context.Context, client Client, path string, query url.Values) (*Res, error) {
	req, err := client.buildRequest(ctx, http.MethodGet, path, query)
	if err != nil {
		return nil, err
	}
	return request[Res](client, req)
}

func (c Client) ListUsers(ctx context.Context, fingerprint string) (*ListResponse[User], error) {
	return get[ListResponse[User]](ctx, c, "/api/users", url.Values{"publicKeyFingerprint": {fingerprint}})
}

func (c Client) ListGrants(ctx context.Context, user, destination string) (*ListResponse[Grant], error) {
	return get[ListResponse[Grant]](ctx, c, "/api/grants", url.Values{"user": {user}, "destination": {destination}, "showInherited": {"true"}})
}

type sshAuthKeysOptions struct {
	fingerprint string
	username    string
}

type Options struct {
	Name      string
	ServerURL string
	AccessKey string
}

func (o Options) APIClient() *Client {
	return &Client{
		Name:      "connector",
		URL:       o.ServerURL,
		AccessKey: o.AccessKey,
		HTTP:      http.Client{Transport: http.DefaultTransport},
	}
}

func runSSHDAuthKeys(out io.Writer, config Options, opts sshAuthKeysOptions) error {
	ctx := context.Background()

	client := config.APIClient()
	client.Name = "ssh-auth-keys-cmd"

	user, err := verifyUsernameAndFingerprint(ctx, client, opts)
	if err != nil {
		return err
	}

	if err := authorizeUserForDestination(ctx, client, user, config.Name); err != nil {
		return err
	}

	for _, key := range user.PublicKeys {
		fmt.Fprintf(out, "%v %v\n", key.KeyType, key.PublicKey)
	}
	return nil
}

func verifyUsernameAndFingerprint(ctx context.Context, client *Client, opts sshAuthKeysOptions) (*User, error) {
	users, err := client.ListUsers(ctx, opts.fingerprint)
	if err != nil {
		return nil, fmt.Errorf("api list users: %w", err)
	}
	if len(users.Items) != 1 {
		return nil, fmt.Errorf("wrong number of users found %d", len(users.Items))
	}
	user := users.Items[0]
	if user.SSHLoginName != opts.username {
		return nil, fmt.Errorf("public key is for a different user")
	}
	return &user, nil
}

func authorizeUserForDestination(ctx context.Context, client *Client, user *User, name string) error {
	grants, err := client.ListGrants(ctx, user.ID, name)
	if err != nil {
		return err
	}
	if len(grants.Items) == 0 {
		return fmt.Errorf("user %v (%v) has not been granted access to this destination", user.Name, user.ID)
	}
	return nil
}
