// Recall case sd-gophercloud-reauth
// Source: github.com/gophercloud/gophercloud commit eaadf19ab8a04e0957457eaa8dead6ddafe504cf (provider_client.go)
// Link: https://github.com/gophercloud/gophercloud/commit/eaadf19ab8a04e0957457eaa8dead6ddafe504cf
// Bug: ProviderClient.doRequest(ctx, ...) handles a 401 by calling Reauthenticate(prereqtok), which runs ReauthFunc with its own ctx := context.TODO(), so the token re-issue HTTP call ignores the caller's deadline/cancellation
// Fix: Reauthenticate takes ctx as first argument and doRequest passes its ctx: client.Reauthenticate(ctx, prereqtok)
// Rule: sharedeadline
package gophercloud

import (
	"context"
	"net/http"
)

// Reduced from openstack/client.go (AuthenticateV3WithContext / v3auth) and
// openstack/identity/v3/tokens (Create): the token request goes through the same
// ProviderClient.RequestWithContext path as any other call.

// AuthOptions stores information needed to authenticate to an OpenStack Cloud.
type AuthOptions struct {
	Username    string `json:"name"`
	Password    string `json:"password"`
	DomainName  string `json:"-"`
	AllowReauth bool   `json:"-"`
}

// AuthenticateV3WithContext explicitly authenticates against the identity v3 service.
func AuthenticateV3WithContext(ctx context.Context, client *ProviderClient, options AuthOptions) error {
	return v3auth(ctx, client, client.IdentityEndpoint, options)
}

func v3auth(ctx context.Context, client *ProviderClient, endpoint string, opts AuthOptions) error {
	token, err := createToken(ctx, client, endpoint, opts)
	if err != nil {
		return err
	}
	client.SetToken(token)

	if opts.AllowReauth {
		// here we're creating a throw-away client (tac). it's a copy of the user's provider client, but
		// with the token and reauth func zeroed out. combined with setting `AllowReauth` to `false`,
		// this should retry authentication only once
		tac := *client
		tac.SetThrowaway(true)
		tac.ReauthFunc = nil
		tac.SetToken("")
		tao := opts
		tao.AllowReauth = false
		client.ReauthFunc = func(ctx context.Context) error {
			err := v3auth(ctx, &tac, endpoint, tao)
			if err != nil {
				return err
			}
			client.CopyTokenFrom(&tac)
			return nil
		}
	}
	return nil
}

// createToken issues POST /auth/tokens (tokens.Create).
func createToken(ctx context.Context, client *ProviderClient, endpoint string, opts AuthOptions) (string, error) {
	body := map[string]interface{}{
		"auth": map[string]interface{}{
			"identity": map[string]interface{}{
				"methods": []string{"password"},
				"password": map[string]interface{}{
					"user": map[string]interface{}{
						"name":     opts.Username,
						"password": opts.Password,
						"domain":   map[string]string{"name": opts.DomainName},
					},
				},
			},
		},
	}
	resp, err := client.RequestWithContext(ctx, http.MethodPost, endpoint+"auth/tokens", &RequestOpts{
		JSONBody: body,
		OkCodes:  []int{http.StatusCreated},
	})
	if err != nil {
		return "", err
	}
	resp.Body.Close()
	token := resp.Header.Get("X-Subject-Token")
	if token == "" {
		return "", errMissingToken
	}
	return token, nil
}

// GetServer is a representative service call (servers.Get) issued with the caller's ctx.
func GetServer(ctx context.Context, client *ProviderClient, computeEndpoint, id string) (map[string]interface{}, error) {
	var out map[string]interface{}
	_, err := client.RequestWithContext(ctx, http.MethodGet, computeEndpoint+"servers/"+id, &RequestOpts{
		JSONResponse: &out,
	})
	return out, err
}
