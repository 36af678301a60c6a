// Recall case sd-sigstore-cliplugin-signmessage
// Source: github.com/sigstore/sigstore commit c5b7d21a789849dcdaebfdcdd734ad78daae8f3c (pkg/signature/kms/cliplugin/signer.go)
// Link: https://github.com/sigstore/sigstore/commit/c5b7d21a789849dcdaebfdcdd734ad78daae8f3c
// Bug: PluginClient.SignMessage runs the KMS plugin program under context.WithDeadline(context.Background(), deadline), copying only the deadline extracted from the caller's options, so cancelling the caller's context does not stop the plugin subprocess.
// Fix: use the caller's own context from the options (opt.ApplyContext(&ctx)) for the plugin command instead of a fresh Background-derived one.
// Rule: sharedeadline
package cliplugin

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"time"
)

var (
	ErrorExecutingPlugin   = errors.New("error executing plugin program")
	ErrorResponseParse     = errors.New("parsing plugin response")
	ErrorPluginReturnError = errors.New("plugin returned error")
)

const ProtocolVersion = "v1"

// SignOption is the stand-in for signature.SignOption: RPC options carry the caller's context.
type SignOption interface {
	ApplyContext(*context.Context)
}

type requestContext struct{ ctx context.Context }

func (r requestContext) ApplyContext(ctx *context.Context) { *ctx = r.ctx }

// WithContext is the stand-in for options.WithContext.
func WithContext(ctx context.Context) SignOption { return requestContext{ctx: ctx} }

// RPCOptions is the serialized form of the RPC options sent to the plugin.
type RPCOptions struct {
	CtxDeadline *time.Time `json:"ctxDeadline,omitempty"`
}

type SignOptions struct {
	RPCOptions *RPCOptions `json:"rpcOptions"`
}

// PackSignOptions extracts the serializable values (only the deadline) from the options.
func PackSignOptions(opts []SignOption) *SignOptions {
	ctx := context.Background()
	for _, opt := range opts {
		opt.ApplyContext(&ctx)
	}
	var ctxDeadline *time.Time
	if deadline, ok := ctx.Deadline(); ok {
		ctxDeadline = &deadline
	}
	return &SignOptions{RPCOptions: &RPCOptions{CtxDeadline: ctxDeadline}}
}

type SignMessageArgs struct {
	SignOptions *SignOptions `json:"signOptions"`
}

type MethodArgs struct {
	MethodName  string           `json:"methodName"`
	SignMessage *SignMessageArgs `json:"signMessage,omitempty"`
}

type PluginResp struct {
	ErrorMessage string `json:"errorMessage,omitempty"`
	SignMessage  *struct {
		Signature []byte `json:"signature"`
	} `json:"signMessage,omitempty"`
}

// cmd is an interface for os/exec.Cmd.
type cmd interface {
	Output() ([]byte, error)
}

// makeCmdFunc is a type for a function that can create a cmd.
type makeCmdFunc func(ctx context.Context, stdin io.Reader, stderr io.Writer, name string, args ...string) cmd

// makeCmd is an implementation of makeCmdFunc.
func makeCmd(ctx context.Context, stdin io.Reader, stderr io.Writer, name string, args ...string) cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdin = stdin
	cmd.Stderr = stderr
	return cmd
}

// PluginClient implements kms.SignerVerifier with calls to our plugin program.
type PluginClient struct {
	executable  string
	makeCmdFunc makeCmdFunc
}

// invokePlugin invokes the plugin program and parses its response.
func (c PluginClient) invokePlugin(ctx context.Context, stdin io.Reader, methodArgs *MethodArgs) (*PluginResp, error) {
	argsEnc, err := json.Marshal(methodArgs)
	if err != nil {
		return nil, err
	}
	cmd := c.makeCmdFunc(ctx, stdin, os.Stderr, c.executable, ProtocolVersion, string(argsEnc))
	stdout, err := cmd.Output()
	var exitError *exec.ExitError
	if err != nil && (!errors.As(err, &exitError) || exitError.ExitCode() < 1) {
		return nil, fmt.Errorf("%w: %w", ErrorExecutingPlugin, err)
	}
	var resp PluginResp
	if unmarshallErr := json.Unmarshal(stdout, &resp); unmarshallErr != nil {
		return nil, fmt.Errorf("%w: %w", ErrorResponseParse, unmarshallErr)
	}
	if resp.ErrorMessage != "" {
		return nil, fmt.Errorf("%w: %s", ErrorPluginReturnError, resp.ErrorMessage)
	}
	return &resp, nil
}

// SignMessage calls and returns the plugin's implementation of SignMessage().
// If the opts contain a deadline, then it will be used with the Cmd.
func (c PluginClient) SignMessage(message io.Reader, opts ...SignOption) ([]byte, error) {
	args := &MethodArgs{
		MethodName: "signMessage",
		SignMessage: &SignMessageArgs{
			SignOptions: PackSignOptions(opts),
		},
	}
	ctx := context.Background()
	if deadline := args.SignMessage.SignOptions.RPCOptions.CtxDeadline; deadline != nil {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, *deadline)
		defer cancel()
	}
	resp, err := c.invokePlugin(ctx, message, args)
	if err != nil {
		return nil, err
	}
	signature := resp.SignMessage.Signature
	return signature, nil
}

// signWithCaller illustrates a caller (not in the upstream file): the caller ctx travels inside the options.
func signWithCaller(ctx context.Context, c PluginClient, payload []byte) ([]byte, error) {
	return c.SignMessage(bytes.NewReader(payload), WithContext(ctx))
}
