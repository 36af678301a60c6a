// Recall case sc-retrygo-infinitectx
// Source: github.com/avast/retry-go commit f5406120a2f1e4fa802b344e99717d74b3e36f3b (retry.go)
// Link: https://github.com/avast/retry-go/commit/f5406120a2f1e4fa802b344e99717d74b3e36f3b
// Bug: in Do with Attempts(0) (retry until success), when config.context is cancelled during the delay select, Do returns nil, so cancellation is reported as success.
// Fix: return config.context.Err() instead of nil (and stop on unrecoverable errors).
// Rule: swallowcancel
package retrygo

import (
	"context"
	"time"
)

// Function signature of retryable function
type RetryableFunc func() error

// Timer represents the timer used to track time for a retry.
type Timer interface {
	After(time.Duration) <-chan time.Time
}

// Default timer is a wrapper around time.After
type timerImpl struct{}

func (t *timerImpl) After(d time.Duration) <-chan time.Time {
	return time.After(d)
}

type Config struct {
	attempts uint
	delay    time.Duration
	onRetry  func(n uint, err error)
	context  context.Context
	timer    Timer
}

// Option represents an option for retry.
type Option func(*Config)

// Attempts set count of retry. Setting to 0 will retry until the retried function succeeds.
func Attempts(attempts uint) Option {
	return func(c *Config) {
		c.attempts = attempts
	}
}

// Delay set delay between retry
func Delay(delay time.Duration) Option {
	return func(c *Config) {
		c.delay = delay
	}
}

// Context allow to set context of retry
func Context(ctx context.Context) Option {
	return func(c *Config) {
		c.context = ctx
	}
}

func newDefaultRetryConfig() *Config {
	return &Config{
		attempts: uint(10),
		delay:    100 * time.Millisecond,
		onRetry:  func(n uint, err error) {},
		context:  context.Background(),
		timer:    &timerImpl{},
	}
}

func delay(config *Config, n uint, err error) time.Duration {
	return config.delay * time.Duration(n)
}

type unrecoverableError struct {
	error
}

// Unrecoverable wraps an error in `unrecoverableError` struct
func Unrecoverable(err error) error {
	return unrecoverableError{err}
}

// IsRecoverable checks if error is an instance of `unrecoverableError`
func IsRecoverable(err error) bool {
	_, isUnrecoverable := err.(unrecoverableError)
	return !isUnrecoverable
}

func Do(retryableFunc RetryableFunc, opts ...Option) error {
	var n uint

	// default
	config := newDefaultRetryConfig()

	// apply opts
	for _, opt := range opts {
		opt(config)
	}

	if err := config.context.Err(); err != nil {
		return err
	}

	// Setting attempts to 0 means we'll retry until we succeed
	if config.attempts == 0 {
		for err := retryableFunc(); err != nil; err = retryableFunc() {
			n++

			if !IsRecoverable(err) {
				return err
			}

			config.onRetry(n, err)
			select {
			case <-config.timer.After(delay(config, n, err)):
			case <-config.context.Done():
				return config.context.Err()
			}
		}

		return nil
	}

	var lastErr error
	for n < config.attempts {
		err := retryableFunc()
		if err == nil {
			return nil
		}
		lastErr = err
		if !IsRecoverable(err) {
			break
		}
		config.onRetry(n, err)
		if n == config.attempts-1 {
			break
		}
		select {
		case <-config.timer.After(delay(config, n, err)):
		case <-config.context.Done():
			return config.context.Err()
		}
		n++
	}
	return lastErr
}
