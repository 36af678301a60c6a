// Recall case nd-submariner-publicapi
// Source: github.com/submariner-io/submariner commit fc07ee54e29795fceb989e52e8b014798d5583ea (pkg/endpoint/public_ip.go)
// Link: https://github.com/submariner-io/submariner/commit/fc07ee54e29795fceb989e52e8b014798d5583ea
// Bug: the "api" public-IP resolver (publicAPI, reached from getPublicIP through the publicIPMethods map) fetches the IP with http.Get on http.DefaultClient (no Timeout); resolution was seen stuck for ~15 minutes.
// Fix: publicAPI uses an http.Client with Timeout: 30 * time.Second for the GET.
// Rule: nodeadline
package endpoint

import (
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"regexp"
	"strings"
	"time"
)

// Stand-ins for the submariner API constants and spec types.
const (
	API                 = "api"
	IPv4                = "ipv4"
	PublicIP            = "public-ip"
	GatewayConfigPrefix = "gateway.submariner.io/"
)

type SubmarinerSpecification struct {
	Namespace string
	PublicIP  string
}

// KubeInterface stands in for kubernetes.Interface (unused by these resolvers).
type KubeInterface interface{}

type publicIPResolverFunction func(clientset KubeInterface, namespace, value string) (string, error)

var publicIPMethods = map[string]publicIPResolverFunction{
	API:  publicAPI,
	IPv4: publicIP,
}

var IPv4RE = regexp.MustCompile(`(?:\d{1,3}\.){3}\d{1,3}`)

func getPublicIP(submSpec *SubmarinerSpecification, k8sClient KubeInterface, backendConfig map[string]string) (string, error) {
	config, ok := backendConfig[PublicIP]
	if !ok {
		if submSpec.PublicIP != "" {
			config = submSpec.PublicIP
		} else {
			config = "api:api.ipify.org,api:api.my-ip.io/ip,api:ip4.seeip.org"
		}
	}

	resolvers := strings.Split(config, ",")
	for _, resolver := range resolvers {
		resolver = strings.Trim(resolver, " ")

		parts := strings.Split(resolver, ":")
		if len(parts) != 2 {
			return "", fmt.Errorf("invalid format for %q annotation: %q", GatewayConfigPrefix+PublicIP, config)
		}

		method, ok := publicIPMethods[parts[0]]
		if !ok {
			return "", fmt.Errorf("unknown resolver %q in %q annotation: %q", parts[0], GatewayConfigPrefix+PublicIP, config)
		}

		ip, err := method(k8sClient, submSpec.Namespace, parts[1])
		if err == nil {
			return ip, nil
		}

		// If this resolved failed we log it, but we fall back to the next one
		log.Printf("Error resolving public IP with resolver %s : %s", resolver, err.Error())
	}

	if len(resolvers) > 0 {
		return "", fmt.Errorf("Unable to resolve public IP by any of the resolver methods: %s", resolvers)
	}

	return "", nil
}

func publicAPI(clientset KubeInterface, namespace, value string) (string, error) {
	url := "https://" + value

	httpClient := http.Client{
		Timeout: 30 * time.Second,
	}

	response, err := httpClient.Get(url)
	if err != nil {
		return "", fmt.Errorf("retrieving public IP from %s: %w", url, err)
	}

	defer response.Body.Close()

	body, err := io.ReadAll(response.Body)
	if err != nil {
		return "", fmt.Errorf("reading API response from %s: %w", url, err)
	}

	return firstIPv4InString(string(body))
}

func publicIP(clientset KubeInterface, namespace, value string) (string, error) {
	return firstIPv4InString(value)
}

func firstIPv4InString(body string) (string, error) {
	matches := IPv4RE.FindAllString(body, -1)
	if len(matches) == 0 {
		return "", errors.New("No IPv4 found in: " + body)
	}

	return matches[0], nil
}
