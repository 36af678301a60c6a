// Recall case sd-autorest-register
// Source: github.com/Azure/go-autorest commit cd2702d0255126f3d64a7cef703e1341f22bc0ac (autorest/azure/rp.go)
// Link: https://github.com/Azure/go-autorest/commit/cd2702d0255126f3d64a7cef703e1341f22bc0ac
// Bug: DoRetryWithRegistration -> register builds fresh requests from &http.Request{} (background context) and only copies originalReq.Cancel, so the register POST and the provider polling GETs ignore the caller request's context deadline/cancellation.
// Fix: req = req.WithContext(originalReq.Context()) for both requests, and the poll delays select on originalReq.Context().Done() and return ctx.Err().
// Rule: sharedeadline
package autorestsd

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Sender is the interface that wraps the Do method to send HTTP requests.
type Sender interface {
	Do(*http.Request) (*http.Response, error)
}

// SenderFunc is a method that implements the Sender interface.
type SenderFunc func(*http.Request) (*http.Response, error)

func (sf SenderFunc) Do(r *http.Request) (*http.Response, error) { return sf(r) }

type SendDecorator func(Sender) Sender

// Client is the reduced autorest.Client; Sender is the *http.Client used by the SDK.
type Client struct {
	Sender                           Sender
	RetryAttempts                    int
	PollingDelay                     time.Duration
	PollingDuration                  time.Duration
	SkipResourceProviderRegistration bool
}

func (c Client) Do(r *http.Request) (*http.Response, error) { return c.Sender.Do(r) }

// SendWithSender sends the request through the sender (decorators reduced away).
func SendWithSender(s Sender, r *http.Request) (*http.Response, error) {
	return s.Do(r)
}

// DelayForBackoff waits for the backoff or until cancel is closed; returns false if cancelled.
func DelayForBackoff(backoff time.Duration, attempt int, cancel <-chan struct{}) bool {
	select {
	case <-time.After(backoff * time.Duration(attempt+1)):
		return true
	case <-cancel:
		return false
	}
}

type ServiceError struct {
	Code    string                   `json:"code"`
	Details []map[string]interface{} `json:"details"`
}

type RequestError struct {
	ServiceError *ServiceError `json:"error"`
}

func (e RequestError) Error() string { return "autorest/azure: Service returned an error" }

// prepare is the reduced autorest.CreatePreparer(...).Prepare(&http.Request{}).
func prepare(r *http.Request, method, u string) (*http.Request, error) {
	parsed, err := url.Parse(u)
	if err != nil {
		return nil, err
	}
	r.Method = method
	r.URL = parsed
	r.Header = make(http.Header)
	return r, nil
}

// DoRetryWithRegistration tries to register the resource provider in case it is unregistered.
func DoRetryWithRegistration(client Client) SendDecorator {
	return func(s Sender) Sender {
		return SenderFunc(func(r *http.Request) (resp *http.Response, err error) {
			for currentAttempt := 0; currentAttempt < client.RetryAttempts; currentAttempt++ {
				resp, err = SendWithSender(s, r)
				if err != nil {
					return resp, err
				}
				if resp.StatusCode != http.StatusConflict || client.SkipResourceProviderRegistration {
					return resp, err
				}
				var re RequestError
				err = json.NewDecoder(resp.Body).Decode(&re)
				resp.Body.Close()
				if err != nil {
					return resp, err
				}
				err = re
				if re.ServiceError != nil && re.ServiceError.Code == "MissingSubscriptionRegistration" {
					regErr := register(client, r, re)
					if regErr != nil {
						return resp, fmt.Errorf("failed auto registering Resource Provider: %s. Original error: %s", regErr, err)
					}
				}
			}
			return resp, fmt.Errorf("failed request: %s", err)
		})
	}
}

func getProvider(re RequestError) (string, error) {
	if re.ServiceError != nil && len(re.ServiceError.Details) > 0 {
		return re.ServiceError.Details[0]["target"].(string), nil
	}
	return "", errors.New("provider was not found in the response")
}

func register(client Client, originalReq *http.Request, re RequestError) error {
	subID := getSubscription(originalReq.URL.Path)
	if subID == "" {
		return errors.New("missing parameter subscriptionID to register resource provider")
	}
	providerName, err := getProvider(re)
	if err != nil {
		return fmt.Errorf("missing parameter provider to register resource provider: %s", err)
	}
	newURL := url.URL{
		Scheme: originalReq.URL.Scheme,
		Host:   originalReq.URL.Host,
	}
	base := newURL.String() + "/subscriptions/" + url.PathEscape(subID) + "/providers/" + url.PathEscape(providerName)

	req, err := prepare(&http.Request{}, http.MethodPost, base+"/register?api-version=2016-09-01")
	if err != nil {
		return err
	}
	req.Cancel = originalReq.Cancel

	resp, err := SendWithSender(client, req)
	if err != nil {
		return err
	}

	type Provider struct {
		RegistrationState *string `json:"registrationState,omitempty"`
	}
	var provider Provider

	err = json.NewDecoder(resp.Body).Decode(&provider)
	resp.Body.Close()
	if err != nil {
		return err
	}

	// poll for registered provisioning state
	now := time.Now()
	for err == nil && time.Since(now) < client.PollingDuration {
		req, err = prepare(&http.Request{}, http.MethodGet, base+"?api-version=2016-09-01")
		if err != nil {
			return err
		}
		req.Cancel = originalReq.Cancel

		resp, err := SendWithSender(client, req)
		if err != nil {
			return err
		}

		err = json.NewDecoder(resp.Body).Decode(&provider)
		resp.Body.Close()
		if err != nil {
			return err
		}

		if provider.RegistrationState != nil &&
			*provider.RegistrationState == "Registered" {
			break
		}

		DelayForBackoff(client.PollingDelay, 0, originalReq.Cancel)
	}
	if !(time.Since(now) < client.PollingDuration) {
		return errors.New("polling for resource provider registration has exceeded the polling duration")
	}
	return err
}

func getSubscription(path string) string {
	parts := strings.Split(path, "/")
	for i, v := range parts {
		if v == "subscriptions" && (i+1) < len(parts) {
			return parts[i+1]
		}
	}
	return ""
}
