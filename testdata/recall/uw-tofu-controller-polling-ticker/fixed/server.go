// Recall case uw-tofu-controller-polling-ticker
// Source: github.com/flux-iac/tofu-controller commit 69a82cadfbe5ad4e657a3076b70a9df9975c017e (internal/server/polling/server.go)
// Link: https://github.com/flux-iac/tofu-controller/commit/69a82cadfbe5ad4e657a3076b70a9df9975c017e
// Bug: Server.Start(ctx) ends each polling round with time.Sleep(s.pollingInterval), so a cancelled ctx is only noticed after the whole interval (minutes) has elapsed.
// Fix: the loop selects on <-ctx.Done() and a time.Tick(s.pollingInterval) channel instead of sleeping.
// Rule: uncancellablewait
package polling

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"time"
)

const DefaultPollingInterval = time.Second * 30

type ObjectKey struct {
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
}

type Secret struct {
	Data map[string][]byte `json:"data"`
}

type Config struct {
	Resources       []ObjectKey
	SecretNamespace string
	SecretName      string
}

// clusterClient stands in for the controller-runtime client: it reads objects
// from the Kubernetes API server over HTTP.
type clusterClient struct {
	http   *http.Client
	apiURL string
}

func (c *clusterClient) Get(ctx context.Context, path string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.apiURL+path, nil)
	if err != nil {
		return err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("get %s: %s", path, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

type Server struct {
	clusterClient   *clusterClient
	configMapRef    ObjectKey
	pollingInterval time.Duration
}

func (s *Server) Start(ctx context.Context) error {
	tick := time.Tick(s.pollingInterval)
	for {
		select {
		case <-ctx.Done():
			return nil

		case <-tick:
			// Read the config in each iteration. The idea behind this decision is to
			// allow the user to change the list of resources without the need of
			// restart of the pod.
			config, err := s.readConfig(ctx)
			if err != nil {
				return err
			}

			secret, err := s.getSecret(ctx, ObjectKey{
				Namespace: config.SecretNamespace,
				Name:      config.SecretName,
			})
			if err != nil {
				log.Printf("failed to get secret: %v", err)
			}

			for _, resource := range config.Resources {
				if err := s.poll(ctx, resource, secret); err != nil {
					log.Printf("failed to check pull request: %v", err)
				}
			}
		}
	}
}

func (s *Server) readConfig(ctx context.Context) (*Config, error) {
	var configMap struct {
		Data map[string]string `json:"data"`
	}
	path := fmt.Sprintf("/api/v1/namespaces/%s/configmaps/%s", s.configMapRef.Namespace, s.configMapRef.Name)
	if err := s.clusterClient.Get(ctx, path, &configMap); err != nil {
		return nil, fmt.Errorf("unable to get ConfigMap: %w", err)
	}
	config := &Config{
		SecretNamespace: configMap.Data["secretNamespace"],
		SecretName:      configMap.Data["secretName"],
	}
	if config.SecretNamespace == "" {
		config.SecretNamespace = "default"
	}
	if err := json.Unmarshal([]byte(configMap.Data["resources"]), &config.Resources); err != nil {
		return nil, fmt.Errorf("failed to parse resources: %w", err)
	}
	return config, nil
}

func (s *Server) getSecret(ctx context.Context, ref ObjectKey) (*Secret, error) {
	secret := &Secret{}
	path := fmt.Sprintf("/api/v1/namespaces/%s/secrets/%s", ref.Namespace, ref.Name)
	if err := s.clusterClient.Get(ctx, path, secret); err != nil {
		return nil, fmt.Errorf("unable to get Secret: %w", err)
	}
	return secret, nil
}

func (s *Server) poll(ctx context.Context, resource ObjectKey, secret *Secret) error {
	if secret == nil {
		return fmt.Errorf("secret is not defined")
	}

	var prs []map[string]any
	path := fmt.Sprintf("/apis/infra.contrib.fluxcd.io/v1alpha2/namespaces/%s/terraforms/%s/pulls", resource.Namespace, resource.Name)
	if err := s.clusterClient.Get(ctx, path, &prs); err != nil {
		return fmt.Errorf("failed to list pull requests: %w", err)
	}

	for _, pr := range prs {
		log.Printf("pull request: %v", pr)
	}

	return nil
}
