// Recall case nd-nerd-iscompliant
// Source: github.com/nerdalize/nerd commit a4731c4f3c84948615eb8c412dafde77a9b05482 (svc/kube_nerd_compliant.go)
// Link: https://github.com/nerdalize/nerd/commit/a4731c4f3c84948615eb8c412dafde77a9b05482
// Bug: IsNerdCompliant and AddNerdDependencies download the catalog templates with http.Get (http.DefaultClient, no timeout), so the CLI hangs forever when githubusercontent is unreachable.
// Fix: use a local &http.Client{Timeout: 10 * time.Second} for the downloads.
// Rule: nodeadline
package svc

import (
	"context"
	"errors"
	"fmt"
	"io/ioutil"
	"net/http"
	"strings"
)

var (
	files = map[string]string{
		"custom-dataset-controller": "https://raw.githubusercontent.com/nerdalize/catalog/master/templates/custom-dataset-controller.yaml",
		"kube-system-cluster-role":  "https://raw.githubusercontent.com/nerdalize/catalog/master/templates/kube-system-default.yaml",
		"custom-dataset-definition": "https://raw.githubusercontent.com/nerdalize/catalog/master/templates/custom-dataset-definition.yaml",
		"flexvolume-daemonset":      "https://raw.githubusercontent.com/nerdalize/catalog/master/templates/flexvolume-daemonset.yaml",
	}
)

// ErrNotExists stands in for kubevisor's not-exists error.
var ErrNotExists = errors.New("resource does not exist")

// Visor is a stand-in for kubevisor.Visor (talks to the Kubernetes API with ctx).
type Visor interface {
	GetResource(ctx context.Context, kind, name string) error
	CreateResource(ctx context.Context, kind, name string, data []byte) error
}

// Kube is the service struct.
type Kube struct {
	visor Visor
}

// AddNerdDependenciesInput is used to configure the resource creation
type AddNerdDependenciesInput struct {
	Dependencies []string
}

// decode is a stand-in for the Kubernetes universal deserializer.
func decode(data []byte) (kind, name string, err error) {
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if v, ok := strings.CutPrefix(line, "kind:"); ok && kind == "" {
			kind = strings.TrimSpace(v)
		}
		if v, ok := strings.CutPrefix(line, "name:"); ok && name == "" {
			name = strings.TrimSpace(v)
		}
	}
	if kind == "" {
		return "", "", errors.New("no kind")
	}
	return kind, name, nil
}

// IsNerdCompliant checks if the nlz-utils are running on the current cluster
func (k *Kube) IsNerdCompliant(ctx context.Context) (ok bool, dependencies []string, err error) {
	for resource, url := range files {
		resp, err := http.Get(url)
		if err != nil {
			return false, nil, err
		}
		defer resp.Body.Close()

		data, err := ioutil.ReadAll(resp.Body)
		if err != nil {
			return false, nil, err
		}

		kind, name, err := decode(data)
		if err != nil {
			return false, []string{}, fmt.Errorf("Error while decoding YAML object. Err was: %s", err)
		}

		err = k.visor.GetResource(ctx, kind, name)
		if err != nil {
			if errors.Is(err, ErrNotExists) {
				dependencies = append(dependencies, resource)
			} else {
				return false, []string{}, err
			}
		}
	}
	if len(dependencies) == 0 {
		return true, dependencies, nil
	}
	return false, dependencies, nil
}

// AddNerdDependencies will deploy necessary daemonsets, controllers and roles so that a private cluster can be used by the cli
func (k *Kube) AddNerdDependencies(ctx context.Context, in *AddNerdDependenciesInput) (err error) {
	for _, dependency := range in.Dependencies {
		// Get the data
		resp, err := http.Get(files[dependency])
		if err != nil {
			return err
		}
		defer resp.Body.Close()

		data, err := ioutil.ReadAll(resp.Body)
		if err != nil {
			return err
		}

		kind, name, err := decode(data)
		if err != nil {
			return fmt.Errorf("Error while decoding YAML object. Err was: %s", err)
		}

		err = k.visor.CreateResource(ctx, kind, name, data)
		if err != nil {
			return err
		}
	}
	return err
}
