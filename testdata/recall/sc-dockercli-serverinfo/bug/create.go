// Recall case sc-dockercli-serverinfo
// Source: github.com/docker/cli commit a6335c42269662413cd2038a274b7776f5bdb730 (cli/command/container/create.go)
// Link: https://github.com/docker/cli/commit/a6335c42269662413cd2038a274b7776f5bdb730
// Bug: runCreate gets the daemon OS through DockerCli.ServerInfo(), whose initializeFromClient pings the daemon on cli.baseCtx with its own timeout and swallows the Ping error (deadline exceeded / connection failure) into a zero ServerInfo, so the caller's ctx is ignored and the failure surfaces later as a bogus "unknown server OS:" validation error.
// Fix: runCreate calls dockerCli.Client().Ping(ctx, ...) itself and returns the Ping error instead of reading the error-swallowing ServerInfo().
// Rule: swallowcancel
package container

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"
)

// --- minimal stand-in for the moby API client (client.Ping does GET /_ping) ---

type PingOptions struct {
	NegotiateAPIVersion bool
	ForceNegotiate      bool
}

type PingResult struct {
	APIVersion     string
	OSType         string
	Experimental   bool
	BuilderVersion string
	SwarmStatus    string
}

type APIClient interface {
	DaemonHost() string
	Ping(ctx context.Context, options PingOptions) (PingResult, error)
	ContainerCreate(ctx context.Context, cfg *containerConfig, name string) (string, error)
}

type apiClient struct {
	host   string
	client *http.Client
}

func (cli *apiClient) DaemonHost() string { return cli.host }

func (cli *apiClient) Ping(ctx context.Context, options PingOptions) (PingResult, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodHead, cli.host+"/_ping", nil)
	if err != nil {
		return PingResult{}, err
	}
	resp, err := cli.client.Do(req)
	if err != nil {
		return PingResult{}, fmt.Errorf("failed to connect to the docker API at %s: %w", cli.host, err)
	}
	defer resp.Body.Close()
	return PingResult{
		APIVersion:     resp.Header.Get("Api-Version"),
		OSType:         resp.Header.Get("Ostype"),
		Experimental:   resp.Header.Get("Docker-Experimental") == "true",
		BuilderVersion: resp.Header.Get("Builder-Version"),
		SwarmStatus:    resp.Header.Get("Swarm"),
	}, nil
}

func (cli *apiClient) ContainerCreate(ctx context.Context, cfg *containerConfig, name string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, cli.host+"/containers/create?name="+name, strings.NewReader(cfg.image))
	if err != nil {
		return "", err
	}
	resp, err := cli.client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}

// --- cli/command/cli.go (reduced) ---

// ServerInfo stores details about the supported features and platform of the
// server
type ServerInfo struct {
	HasExperimental bool
	OSType          string
	BuildkitVersion string
	SwarmStatus     string
}

// Cli represents the docker command line client.
type Cli interface {
	Client() APIClient
	Out() io.Writer
	ServerInfo() ServerInfo
}

const defaultInitTimeout = 2 * time.Second

// DockerCli is an instance the docker command line client.
type DockerCli struct {
	out         io.Writer
	client      APIClient
	serverInfo  ServerInfo
	init        sync.Once
	initErr     error
	initTimeout time.Duration
	daemonHost  string

	// baseCtx is the base context used for internal operations. In the future
	// this may be replaced by explicitly passing a context to functions that
	// need it.
	baseCtx context.Context
}

// NewDockerCli returns a DockerCli instance.
func NewDockerCli() *DockerCli {
	return &DockerCli{baseCtx: context.Background(), out: os.Stdout, daemonHost: os.Getenv("DOCKER_HOST")}
}

func (cli *DockerCli) Out() io.Writer { return cli.out }

// Client returns the APIClient
func (cli *DockerCli) Client() APIClient {
	if err := cli.initialize(); err != nil {
		_, _ = fmt.Fprintln(os.Stderr, cli.initErr)
		os.Exit(1)
	}
	return cli.client
}

// ServerInfo returns the server version details for the host this client is
// connected to
func (cli *DockerCli) ServerInfo() ServerInfo {
	_ = cli.initialize()
	return cli.serverInfo
}

func (cli *DockerCli) getInitTimeout() time.Duration {
	if cli.initTimeout != 0 {
		return cli.initTimeout
	}
	return defaultInitTimeout
}

func (cli *DockerCli) initializeFromClient() {
	ctx, cancel := context.WithTimeout(cli.baseCtx, cli.getInitTimeout())
	defer cancel()

	ping, err := cli.client.Ping(ctx, PingOptions{
		NegotiateAPIVersion: true,
		ForceNegotiate:      true,
	})
	if err != nil {
		// Default to true if we fail to connect to daemon
		cli.serverInfo = ServerInfo{HasExperimental: true}
		return
	}
	cli.serverInfo = ServerInfo{
		HasExperimental: ping.Experimental,
		OSType:          ping.OSType,
		BuildkitVersion: ping.BuilderVersion,
		SwarmStatus:     ping.SwarmStatus,
	}
}

func (cli *DockerCli) initialize() error {
	cli.init.Do(func() {
		if cli.daemonHost == "" {
			cli.initErr = errors.New("unable to resolve docker endpoint: DOCKER_HOST not set")
			return
		}
		if cli.client == nil {
			cli.client = &apiClient{host: cli.daemonHost, client: &http.Client{}}
		}
		if cli.baseCtx == nil {
			cli.baseCtx = context.Background()
		}
		cli.initializeFromClient()
	})
	return cli.initErr
}

// --- cli/command/container/opts.go (reduced) ---

type containerOptions struct {
	image   string
	devices []string
}

type containerConfig struct {
	image   string
	devices []string
}

type createOptions struct {
	name string
}

// StatusError reports an unsuccessful exit by a command.
type StatusError struct {
	Status     string
	StatusCode int
}

func (e StatusError) Error() string { return e.Status }

// parseDevice parses a device mapping string knowing the daemon's OS.
func parseDevice(device, serverOS string) (string, error) {
	switch serverOS {
	case "linux", "windows":
		return device, nil
	}
	return "", fmt.Errorf("unknown server OS: %s", serverOS)
}

func parse(copts *containerOptions, serverOS string) (*containerConfig, error) {
	var devices []string
	for _, device := range copts.devices {
		d, err := parseDevice(device, serverOS)
		if err != nil {
			return nil, err
		}
		devices = append(devices, d)
	}
	return &containerConfig{image: copts.image, devices: devices}, nil
}

// --- cli/command/container/create.go (reduced) ---

func createContainer(ctx context.Context, dockerCli Cli, containerCfg *containerConfig, options *createOptions) (string, error) {
	return dockerCli.Client().ContainerCreate(ctx, containerCfg, options.name)
}

func runCreate(ctx context.Context, dockerCli Cli, options *createOptions, copts *containerOptions) error {
	containerCfg, err := parse(copts, dockerCli.ServerInfo().OSType)
	if err != nil {
		return StatusError{
			Status:     err.Error() + "\n\nRun 'docker create --help' for more information",
			StatusCode: 125,
		}
	}
	id, err := createContainer(ctx, dockerCli, containerCfg, options)
	if err != nil {
		return err
	}
	_, _ = fmt.Fprintln(dockerCli.Out(), id)
	return nil
}
