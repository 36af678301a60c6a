// Recall case nd-troubleshoot-registry-image-exists
// Source: github.com/replicatedhq/troubleshoot commit f352396e2e2a4d1ceec9227872c13753ad36eeff (pkg/collect/registry.go)
// Link: https://github.com/replicatedhq/troubleshoot/commit/f352396e2e2a4d1ceec9227872c13753ad36eeff
// Bug: imageExists queries the remote registry via imageRef.NewImage(context.Background(), ...) with no deadline, so an unresponsive registry hangs the registry collector (and the whole support-bundle run) indefinitely.
// Fix: Each attempt now runs under context.WithTimeout(context.Background(), deadline) (10s by default) and a DeadlineExceeded stops the retries.
// Rule: nodeadline
package collect

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"strings"
	"time"
)

var errManifestUnknown = errors.New("manifest unknown")

type RegistryImages struct {
	CollectorName string
	Images        []string
}

type RegistryImage struct {
	Exists bool   `json:"exists"`
	Error  string `json:"error,omitempty"`
}

type RegistryInfo struct {
	Images map[string]RegistryImage `json:"images"`
}

type CollectRegistry struct {
	Collector *RegistryImages
	Namespace string
	Results   map[string][]byte
}

func (c *CollectRegistry) Collect(progressChan chan<- interface{}) (map[string][]byte, error) {
	registryInfo := RegistryInfo{
		Images: map[string]RegistryImage{},
	}

	for _, image := range c.Collector.Images {
		exists, err := imageExists(c.Namespace, c.Collector, image)
		if err != nil {
			registryInfo.Images[image] = RegistryImage{
				Error: err.Error(),
			}
		} else {
			registryInfo.Images[image] = RegistryImage{
				Exists: exists,
			}
		}
	}

	b, err := json.MarshalIndent(registryInfo, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("failed to marshal database connection: %w", err)
	}

	collectorName := c.Collector.CollectorName
	if collectorName == "" {
		collectorName = "images"
	}
	return map[string][]byte{fmt.Sprintf("registry/%s.json", collectorName): b}, nil
}

func imageExists(namespace string, registryCollector *RegistryImages, image string) (bool, error) {
	imageRef, err := ParseImageName(fmt.Sprintf("docker://%s", image))
	if err != nil {
		return false, fmt.Errorf("failed to parse image name %s: %w", image, err)
	}

	authConfig := getImageAuthConfig(namespace, registryCollector, imageRef)

	var lastErr error
	for i := 0; i < 3; i++ {
		sysCtx := SystemContext{
			DockerDisableV1Ping:         true,
			DockerInsecureSkipTLSVerify: true,
		}
		if authConfig != nil {
			sysCtx.DockerAuthConfig = &DockerAuthConfig{
				Username: authConfig.Username,
				Password: authConfig.Password,
			}
		}

		remoteImage, err := imageRef.NewImage(context.Background(), &sysCtx)
		if err == nil {
			log.Printf("image %s exists", image)
			remoteImage.Close()
			return true, nil
		}

		log.Printf("failed to get image %s: %v", image, err)

		if strings.Contains(err.Error(), "no image found in manifest list for architecture") {
			return true, nil
		}

		if errors.Is(err, errManifestUnknown) {
			return false, nil
		}

		if strings.Contains(err.Error(), "EOF") {
			lastErr = err
			time.Sleep(1 * time.Second)
			continue
		}

		return false, fmt.Errorf("failed to get image manifest: %w", err)
	}

	return false, fmt.Errorf("failed to retry: %w", lastErr)
}

func getImageAuthConfig(namespace string, registryCollector *RegistryImages, imageRef ImageReference) *DockerAuthConfig {
	return nil
}
