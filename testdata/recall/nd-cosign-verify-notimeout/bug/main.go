// Recall case nd-cosign-verify-notimeout
// Source: github.com/sigstore/cosign commit 6b06819a4372319a9c6e4c797500383cd1fc1e07 (cmd/cosign/cli/verify.go)
// Link: https://github.com/sigstore/cosign/commit/6b06819a4372319a9c6e4c797500383cd1fc1e07
// Bug: Verify().RunE passes cmd.Context() (the deadline-less root ctx from main) to VerifyCommand.Exec, so the registry requests in ociremote.ResolveDigest can hang forever; the --timeout flag (ro.Timeout) is ignored.
// Fix: RunE derives ctx, cancel := context.WithTimeout(cmd.Context(), ro.Timeout) before calling v.Exec.
// Rule: nodeadline
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"os"
	"time"
)

// --- cmd/cosign/cli/options/root.go ---

// RootOptions define flags and options for the root cosign cli.
type RootOptions struct {
	OutputFile string
	Verbose    bool
	Timeout    time.Duration
}

// DefaultTimeout specifies the default timeout for commands.
const DefaultTimeout = 3 * time.Minute

// --- cmd/cosign/cli/commands.go ---

var (
	ro = &RootOptions{Timeout: DefaultTimeout}
)

// New builds the root command (sub-commands other than verify cut).
func New() *Command {
	cmd := &Command{Use: "cosign"}
	cmd.AddCommand(Verify())
	return cmd
}

// --- cmd/cosign/cli/verify.go ---

// Verify builds the "verify" command.
func Verify() *Command {
	o := &VerifyOptions{}

	cmd := &Command{
		Use: "verify",
		RunE: func(cmd *Command, args []string) error {
			v := &VerifyCommand{
				RegistryOptions: o.Registry,
				KeyRef:          o.Key,
			}

			ctx := cmd.Context()

			return v.Exec(ctx, args)
		},
	}
	return cmd
}

// --- cmd/cosign/cli/options ---

type VerifyOptions struct {
	Key      string
	Registry RegistryOptions
}

type RegistryOptions struct {
	AllowInsecure bool
}

// ClientOpts returns the options used for every registry request; the ctx is
// attached with remote.WithContext(ctx).
func (o *RegistryOptions) ClientOpts(ctx context.Context) ([]Option, error) {
	return []Option{WithContext(ctx)}, nil
}

// --- cmd/cosign/cli/verify/verify.go ---

type VerifyCommand struct {
	RegistryOptions RegistryOptions
	KeyRef          string
}

func (c *VerifyCommand) Exec(ctx context.Context, images []string) (err error) {
	if len(images) == 0 {
		return errors.New("no images given")
	}
	ociremoteOpts, err := c.RegistryOptions.ClientOpts(ctx)
	if err != nil {
		return fmt.Errorf("constructing client options: %w", err)
	}
	co := &CheckOpts{RegistryClientOpts: ociremoteOpts}

	for _, img := range images {
		verified, err := VerifyImageSignatures(ctx, img, co)
		if err != nil {
			return err
		}
		fmt.Fprintf(os.Stdout, "verified %s (%s)\n", img, verified)
	}
	return nil
}

// --- pkg/cosign/verify.go ---

type CheckOpts struct {
	RegistryClientOpts []Option
}

func VerifyImageSignatures(ctx context.Context, signedImgRef string, co *CheckOpts) (string, error) {
	// This is a carefully optimized sequence for fetching the signatures of the
	// entity that minimizes registry requests when supplied with a digest input
	digest, err := ResolveDigest(signedImgRef, co.RegistryClientOpts...)
	if err != nil {
		return "", err
	}
	return digest, nil
}

// --- stub of go-containerregistry remote / cosign ociremote ---

// Option mirrors remote.Option.
type Option func(*options)

type options struct {
	ctx       context.Context
	transport http.RoundTripper
}

// WithContext mirrors remote.WithContext: every request is made with ctx.
func WithContext(ctx context.Context) Option {
	return func(o *options) { o.ctx = ctx }
}

// ResolveDigest mirrors ociremote.ResolveDigest -> remote.Head: a HEAD request
// for the manifest, made with the option ctx on a client that (like
// remote.DefaultTransport) has no overall timeout.
func ResolveDigest(ref string, opts ...Option) (string, error) {
	o := &options{transport: http.DefaultTransport}
	for _, opt := range opts {
		opt(o)
	}
	req, err := http.NewRequestWithContext(o.ctx, http.MethodHead, "https://"+ref, nil)
	if err != nil {
		return "", err
	}
	client := &http.Client{Transport: o.transport}
	resp, err := client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("HEAD %s: %s", ref, resp.Status)
	}
	return resp.Header.Get("Docker-Content-Digest"), nil
}

// --- stub of spf13/cobra (only what is used) ---

type Command struct {
	Use  string
	RunE func(cmd *Command, args []string) error

	ctx      context.Context
	commands []*Command
}

func (c *Command) AddCommand(cmds ...*Command) { c.commands = append(c.commands, cmds...) }

// Context returns the context the command was executed with.
func (c *Command) Context() context.Context { return c.ctx }

// ExecuteContext runs the sub-command named by os.Args[1] with ctx.
func (c *Command) ExecuteContext(ctx context.Context) error {
	c.ctx = ctx
	if len(os.Args) < 2 {
		return errors.New("no sub-command")
	}
	for _, sub := range c.commands {
		if sub.Use == os.Args[1] {
			sub.ctx = ctx
			return sub.RunE(sub, os.Args[2:])
		}
	}
	return fmt.Errorf("unknown command %q", os.Args[1])
}

// --- cmd/cosign/main.go ---

func main() {
	// cobra's Execute() runs the command tree with context.Background().
	ctx := context.Background()
	if err := New().ExecuteContext(ctx); err != nil {
		log.Fatalf("error during command execution: %v", err)
	}
}
