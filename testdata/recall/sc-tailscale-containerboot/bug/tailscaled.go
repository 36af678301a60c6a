// Recall case sc-tailscale-containerboot
// Source: github.com/tailscale/tailscale commit b93d9ba1ffe08aba60e3b5654c822416e89562cd (cmd/containerboot/tailscaled.go)
// Link: https://github.com/tailscale/tailscale/pull/20608
// Bug: when SIGTERM cancels ctx while 'tailscale up'/'tailscale set' runs, the killed subprocess's error is wrapped with %v (and cmd.Run reports "signal: killed" rather than the context error), so main's errors.Is(err, context.Canceled) cannot see the cancellation and a graceful shutdown exits with status 1.
// Fix: on cmd.Run failure the functions check ctx.Err() and return it wrapped with %w, and wrap other errors with %w too.
// Rule: swallowcancel
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

type settings struct {
	Socket    string
	AuthKey   string
	Hostname  string
	Routes    *string
	AcceptDNS *bool
	ExtraArgs string
	AuthOnce  bool
}

func configFromEnv() (*settings, error) {
	cfg := &settings{
		Socket:    os.Getenv("TS_SOCKET"),
		AuthKey:   os.Getenv("TS_AUTHKEY"),
		Hostname:  os.Getenv("TS_HOSTNAME"),
		ExtraArgs: os.Getenv("TS_EXTRA_ARGS"),
		AuthOnce:  os.Getenv("TS_AUTH_ONCE") == "true",
	}
	if cfg.Socket == "" {
		cfg.Socket = "/tmp/tailscaled.sock"
	}
	return cfg, nil
}

// tailscaleUp uses cfg to run 'tailscale up' everytime containerboot starts, or
// if TS_AUTH_ONCE is set, only the first time containerboot starts.
func tailscaleUp(ctx context.Context, cfg *settings) error {
	args := []string{"--socket=" + cfg.Socket, "up"}
	if cfg.AcceptDNS != nil && *cfg.AcceptDNS {
		args = append(args, "--accept-dns=true")
	} else {
		args = append(args, "--accept-dns=false")
	}
	if cfg.AuthKey != "" {
		args = append(args, "--authkey="+cfg.AuthKey)
	}
	// --advertise-routes can be passed an empty string to configure a
	// device (that might have previously advertised subnet routes) to not
	// advertise any routes.
	if cfg.Routes != nil {
		args = append(args, "--advertise-routes="+*cfg.Routes)
	}
	if cfg.Hostname != "" {
		args = append(args, "--hostname="+cfg.Hostname)
	}
	if cfg.ExtraArgs != "" {
		args = append(args, strings.Fields(cfg.ExtraArgs)...)
	}
	log.Printf("Running 'tailscale up'")
	cmd := exec.CommandContext(ctx, "tailscale", args...)
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("tailscale up failed: %v", err)
	}
	return nil
}

// tailscaleSet uses cfg to run 'tailscale set' to set any known configuration
// options that are passed in via environment variables. This is run after the
// node is in Running state and only if TS_AUTH_ONCE is set.
func tailscaleSet(ctx context.Context, cfg *settings) error {
	args := []string{"--socket=" + cfg.Socket, "set"}
	if cfg.AcceptDNS != nil && *cfg.AcceptDNS {
		args = append(args, "--accept-dns=true")
	} else {
		args = append(args, "--accept-dns=false")
	}
	if cfg.Routes != nil {
		args = append(args, "--advertise-routes="+*cfg.Routes)
	}
	if cfg.Hostname != "" {
		args = append(args, "--hostname="+cfg.Hostname)
	}
	log.Printf("Running 'tailscale set'")
	cmd := exec.CommandContext(ctx, "tailscale", args...)
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("tailscale set failed: %v", err)
	}
	return nil
}

// contextWithExitSignalWatch returns a context that is cancelled on SIGINT/SIGTERM.
func contextWithExitSignalWatch() (context.Context, func()) {
	return signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
}

func main() {
	if err := run(); err != nil && !errors.Is(err, context.Canceled) {
		log.Fatal(err)
	}
}

func run() error {
	log.SetPrefix("boot: ")

	cfg, err := configFromEnv()
	if err != nil {
		return fmt.Errorf("invalid configuration: %w", err)
	}

	ctx, cancel := contextWithExitSignalWatch()
	defer cancel()

	// bootCtx is used for all setup stuff until we're in steady
	// state, so that if something is hanging we eventually time out
	// and crashloop the container.
	bootCtx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()

	authTailscale := func() error {
		if err := tailscaleUp(bootCtx, cfg); err != nil {
			return fmt.Errorf("failed to auth tailscale: %w", err)
		}
		return nil
	}

	if !cfg.AuthOnce {
		if err := authTailscale(); err != nil {
			return fmt.Errorf("failed to auth tailscale: %w", err)
		}
	}

	if cfg.AuthOnce {
		// Now that we are authenticated, we can set/reset any of the
		// settings that we need to.
		if err := tailscaleSet(ctx, cfg); err != nil {
			return fmt.Errorf("failed to auth tailscale: %w", err)
		}
	}

	<-ctx.Done()
	return ctx.Err()
}
