// Recall case nd-evcc-etronvehicles
// Source: github.com/evcc-io/evcc commit 9abaa2ff3b1b8d6b6700ddf587eeb6848bd68035 (vehicle/audi/etron/api.go, vehicle/audi-etron.go)
// Link: https://github.com/evcc-io/evcc/commit/9abaa2ff3b1b8d6b6700ddf587eeb6848bd68035
// Bug: etron API.Vehicles runs the GraphQL query with context.Background() over an oauth2-wrapped http.Client that has no Timeout, so the vehicle lookup done in NewEtronFromConfig (via ensureVehicle) can hang forever.
// Fix: Vehicles takes a ctx and NewEtronFromConfig calls it through a closure with context.WithTimeout(context.Background(), cc.Timeout).
// Rule: nodeadline
package vehicle

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

const ApiURI = "https://app-api.live-my.audi.com/vgql/v1/graphql"

// graphqlClient is a stand-in for shurcooL/graphql.Client.
type graphqlClient struct {
	url        string
	httpClient *http.Client
}

func (c *graphqlClient) Query(ctx context.Context, q interface{}, variables map[string]interface{}) error {
	body, err := json.Marshal(map[string]interface{}{"query": "{userVehicles{vin type nickname}}", "variables": variables})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.httpClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var out struct {
		Data json.RawMessage `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return err
	}
	return json.Unmarshal(out.Data, q)
}

// tokenTransport is a stand-in for the oauth2.Transport returned by oauth2.NewClient.
type tokenTransport struct {
	token string
	base  http.RoundTripper
}

func (t *tokenTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	r := req.Clone(req.Context())
	r.Header.Set("Authorization", "Bearer "+t.token)
	return t.base.RoundTrip(r)
}

// API is the VW api client
type API struct {
	client *graphqlClient
}

// NewAPI creates a new api client
func NewAPI(token string) *API {
	// like oauth2.NewClient: only the base Transport is reused, no Client.Timeout
	httpClient := &http.Client{Transport: &tokenTransport{token: token, base: http.DefaultTransport}}

	v := &API{
		client: &graphqlClient{url: ApiURI, httpClient: httpClient},
	}

	return v
}

// Vehicles implements the /vehicles response
func (v *API) Vehicles() ([]string, error) {
	type vehicle struct {
		VIN, Type, Nickname string
	}

	var res struct {
		UserVehicles []vehicle `json:"userVehicles"`
	}

	var vins []string
	err := v.client.Query(context.Background(), &res, nil)
	if err == nil {
		for _, v := range res.UserVehicles {
			vins = append(vins, v.VIN)
		}
	}

	return vins, err
}

// ensureVehicle ensures that the vehicle is available on the api and returns the VIN
func ensureVehicle(vin string, fun func() ([]string, error)) (string, error) {
	vehicles, err := fun()
	if err != nil {
		return "", fmt.Errorf("cannot get vehicles: %w", err)
	}

	if vin = strings.ToUpper(vin); vin != "" {
		found := false
		for _, v := range vehicles {
			found = found || v == vin
		}
		if !found {
			err = fmt.Errorf("cannot find vehicle: %s", vin)
		}
	} else if len(vehicles) > 0 {
		vin = vehicles[0]
	} else {
		err = fmt.Errorf("cannot find vehicle: %v", vehicles)
	}

	return vin, err
}

// Etron is an api.Vehicle implementation for Audi eTron cars
type Etron struct {
	VIN string
}

// NewEtronFromConfig creates a new vehicle
func NewEtronFromConfig(token, vin string, timeout time.Duration) (*Etron, error) {
	cc := struct {
		VIN     string
		Timeout time.Duration
	}{
		VIN:     vin,
		Timeout: timeout,
	}

	// use the etron API for list of vehicles
	api := NewAPI(token)

	var err error
	cc.VIN, err = ensureVehicle(cc.VIN, api.Vehicles)

	return &Etron{VIN: cc.VIN}, err
}
