// Recall case sd-otelconf-resource
// Source: github.com/open-telemetry/opentelemetry-go-contrib commit 82bf1ee831ddccec69508dd8728eb60a37bccef8 (otelconf/x/resource.go, otelconf/x/config.go)
// Link: https://github.com/open-telemetry/opentelemetry-go-contrib/commit/82bf1ee831ddccec69508dd8728eb60a37bccef8
// Bug: NewSDK holds the caller's ctx (WithContext -> o.ctx) but newResource runs resource detection with resource.New(context.Background(), ...), ignoring the caller's deadline/cancellation.
// Fix: newResource takes ctx and NewSDK passes o.ctx, so resource.New runs under the caller's context.
// Rule: sharedeadline
package x

import (
	"context"
	"errors"
)

// Detector stands in for go.opentelemetry.io/otel/sdk/resource.Detector.
type Detector interface {
	Detect(ctx context.Context) (map[string]string, error)
}

// ResourceT stands in for *resource.Resource.
type ResourceT struct {
	attrs     map[string]string
	schemaURL string
}

type resourceConfig struct {
	detectors []Detector
	attrs     map[string]string
	schemaURL string
}

type resourceOption func(*resourceConfig)

func withAttributes(attrs map[string]string) resourceOption {
	return func(c *resourceConfig) {
		for k, v := range attrs {
			c.attrs[k] = v
		}
	}
}

func withSchemaURL(u string) resourceOption {
	return func(c *resourceConfig) { c.schemaURL = u }
}

func withDetectors(ds ...Detector) resourceOption {
	return func(c *resourceConfig) { c.detectors = append(c.detectors, ds...) }
}

// resourceNew mirrors resource.New: it runs every configured detector with ctx.
func resourceNew(ctx context.Context, opts ...resourceOption) (*ResourceT, error) {
	cfg := &resourceConfig{attrs: map[string]string{}}
	for _, o := range opts {
		o(cfg)
	}
	var errs []error
	for _, d := range cfg.detectors {
		a, err := d.Detect(ctx)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for k, v := range a {
			cfg.attrs[k] = v
		}
	}
	return &ResourceT{attrs: cfg.attrs, schemaURL: cfg.schemaURL}, errors.Join(errs...)
}

func resourceDefault() *ResourceT {
	return &ResourceT{attrs: map[string]string{"telemetry.sdk.language": "go"}}
}

type Resource struct {
	Attributes           map[string]string
	SchemaUrl            *string
	DetectionDevelopment *ResourceDetection
}

type ResourceDetection struct {
	Detectors []Detector
}

type OpenTelemetryConfiguration struct {
	Disabled *bool
	Resource *Resource
}

type configOptions struct {
	ctx                 context.Context
	opentelemetryConfig OpenTelemetryConfiguration
}

type ConfigurationOption func(configOptions) configOptions

// WithContext sets the context.Context for the SDK.
func WithContext(ctx context.Context) ConfigurationOption {
	return func(c configOptions) configOptions {
		c.ctx = ctx
		return c
	}
}

// WithOpenTelemetryConfiguration sets the OpenTelemetryConfiguration used to produce the SDK.
func WithOpenTelemetryConfiguration(cfg OpenTelemetryConfiguration) ConfigurationOption {
	return func(c configOptions) configOptions {
		c.opentelemetryConfig = cfg
		return c
	}
}

type SDK struct {
	resource *ResourceT
}

var noopSDK = SDK{}

func NewSDK(opts ...ConfigurationOption) (SDK, error) {
	o := configOptions{
		ctx: context.Background(),
	}
	for _, opt := range opts {
		o = opt(o)
	}
	if o.opentelemetryConfig.Disabled != nil && *o.opentelemetryConfig.Disabled {
		return noopSDK, nil
	}

	r, err := newResource(o.opentelemetryConfig.Resource)
	if err != nil {
		return noopSDK, err
	}

	return SDK{resource: r}, nil
}

func newResource(r *Resource) (*ResourceT, error) {
	if r == nil {
		return resourceDefault(), nil
	}

	var schema string
	if r.SchemaUrl != nil {
		schema = *r.SchemaUrl
	}
	opts := []resourceOption{
		withAttributes(resourceDefault().attrs),
		withAttributes(r.Attributes),
		withSchemaURL(schema),
	}

	if r.DetectionDevelopment != nil {
		opts = append(opts, withDetectors(r.DetectionDevelopment.Detectors...))
	}

	return resourceNew(context.Background(), opts...)
}
