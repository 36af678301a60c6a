// Recall case nd-minio-go-imdstoken
// Source: github.com/minio/minio-go commit f2d40be3e82f132d9332491ba83e5099259a4964 (pkg/credentials/iam_aws.go)
// Link: https://github.com/minio/minio-go/pull/1626
// Bug: IAM.Retrieve -> getCredentials -> fetchIMDSToken issues the IMDSv2 token PUT with http.NewRequest (no context) through an http.Client that has no Timeout, so off EC2 (or with a blackholed metadata endpoint) credential retrieval hangs indefinitely.
// Fix: fetchIMDSToken builds the request with http.NewRequestWithContext using a context.WithTimeout(context.Background(), time.Second).
// Rule: nodeadline
package credentials

import (
	"errors"
	"io/ioutil"
	"net/http"
	"os"
	"time"
)

// Value is the credential value returned by providers.
type Value struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
}

// Provider is the interface for any component which will provide credentials Value.
type Provider interface {
	Retrieve() (Value, error)
}

// Credentials wraps a provider.
type Credentials struct {
	provider Provider
}

// New returns a pointer to a new Credentials with the provider set.
func New(provider Provider) *Credentials {
	return &Credentials{provider: provider}
}

// Get returns the credentials value.
func (c *Credentials) Get() (Value, error) {
	return c.provider.Retrieve()
}

// A IAM retrieves credentials from the EC2 service, and keeps track if
// those credentials are expired.
type IAM struct {
	// Required http Client to use when connecting to IAM metadata service.
	Client *http.Client

	// Custom endpoint to fetch IAM role credentials.
	Endpoint string
}

// IAM Roles for Amazon EC2
// http://docs.aws.amazon.com/AWSEC2/latest/UserGuide/iam-roles-for-amazon-ec2.html
const (
	defaultIAMRoleEndpoint = "http://169.254.169.254"
	tokenRequestTTLHeader  = "X-aws-ec2-metadata-token-ttl-seconds"
	tokenPath              = "/latest/api/token"
	tokenTTL               = "21600"
)

// NewIAM returns a pointer to a new Credentials object wrapping the IAM.
func NewIAM(endpoint string) *Credentials {
	return New(&IAM{
		Client: &http.Client{
			Transport: http.DefaultTransport,
		},
		Endpoint: endpoint,
	})
}

// Retrieve retrieves credentials from the EC2 service.
// Error will be returned if the request fails, or unable to extract
// the desired
func (m *IAM) Retrieve() (Value, error) {
	var roleCreds ec2RoleCredRespBody
	var err error

	endpoint := m.Endpoint
	switch {
	case len(os.Getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")) > 0:
		// ECS task credentials path elided (unchanged by the fix).
		return Value{}, errors.New("not reduced")
	default:
		roleCreds, err = getCredentials(m.Client, endpoint)
	}

	if err != nil {
		return Value{}, err
	}

	return Value{
		AccessKeyID:     roleCreds.AccessKeyID,
		SecretAccessKey: roleCreds.SecretAccessKey,
		SessionToken:    roleCreds.Token,
	}, nil
}

// A ec2RoleCredRespBody provides the shape for unmarshaling credential
// request responses.
type ec2RoleCredRespBody struct {
	// Success State
	Expiration      time.Time
	AccessKeyID     string
	SecretAccessKey string
	Token           string
}

func fetchIMDSToken(client *http.Client, endpoint string) (string, error) {
	req, err := http.NewRequest(http.MethodPut, endpoint+tokenPath, nil)
	if err != nil {
		return "", err
	}
	req.Header.Add(tokenRequestTTLHeader, tokenTTL)
	resp, err := client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	data, err := ioutil.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", errors.New(resp.Status)
	}
	return string(data), nil
}

// getCredentials - obtains the credentials from the IAM role name associated with
// the current EC2 service.
//
// If the credentials cannot be found, or there is an error
// reading the response an error will be returned.
func getCredentials(client *http.Client, endpoint string) (ec2RoleCredRespBody, error) {
	if endpoint == "" {
		endpoint = defaultIAMRoleEndpoint
	}

	// https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-instance-metadata-service.html
	token, _ := fetchIMDSToken(client, endpoint)

	// The role-name listing and the role-credentials GET that follow upstream
	// (listRoleNames, GET .../security-credentials/<role>) are elided here: they
	// are unchanged by the fix.
	if token == "" {
		return ec2RoleCredRespBody{}, errors.New("no IMDSv2 token")
	}
	return ec2RoleCredRespBody{Token: token}, nil
}
