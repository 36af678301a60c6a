// Recall case sd-discordgo-withcontext
// Source: github.com/bwmarrin/discordgo commit 58ea3535b0d148f68eeb25b69869005de389e824 (restapi.go)
// Link: https://github.com/bwmarrin/discordgo/commit/58ea3535b0d148f68eeb25b69869005de389e824
// Bug: Session.RequestWithLockedBucket builds req with http.NewRequest (no ctx), applies the RequestOptions to cfg.Request (WithContext swaps in req.WithContext(ctx) there) but then sends the original req via cfg.Client.Do(req), so the caller's ctx passed to e.g. Session.User(id, WithContext(ctx)) is dropped.
// Fix: after applying the options, use req = cfg.Request so the request carries the caller's ctx.
// Rule: sharedeadline
package discordgo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"strings"
	"time"
)

// Marshal defines function used to encode JSON payloads
var Marshal func(v interface{}) ([]byte, error) = json.Marshal

// Unmarshal defines function used to decode JSON payloads
var Unmarshal func(src []byte, v interface{}) error = json.Unmarshal

// ErrJSONUnmarshal is returned when a response body cannot be decoded.
var ErrJSONUnmarshal = errors.New("json unmarshal")

// EndpointUsers is the users REST endpoint.
var EndpointUsers = "https://discord.com/api/v9/users/"

// EndpointUser returns the REST endpoint of one user.
func EndpointUser(uID string) string { return EndpointUsers + uID }

// User stores the part of a Discord user used here.
type User struct {
	ID       string `json:"id"`
	Username string `json:"username"`
}

// Session represents a connection to the Discord API.
type Session struct {
	Token                  string
	Debug                  bool
	ShouldRetryOnRateLimit bool
	MaxRestRetries         int
	Client                 *http.Client
	UserAgent              string
}

// New creates a new Discord session.
func New(token string) (s *Session, err error) {
	s = &Session{
		ShouldRetryOnRateLimit: true,
		MaxRestRetries:         3,
		Client:                 &http.Client{Timeout: (20 * time.Second)},
		UserAgent:              "DiscordBot (https://github.com/bwmarrin/discordgo, v0.27.0)",
	}
	s.Token = token
	return
}

// RESTError stores error information about a request with a bad response code.
type RESTError struct {
	Request      *http.Request
	Response     *http.Response
	ResponseBody []byte
}

func newRestError(req *http.Request, resp *http.Response, body []byte) *RESTError {
	return &RESTError{Request: req, Response: resp, ResponseBody: body}
}

// Error returns a Rest API Error with its status code and body.
func (r RESTError) Error() string {
	return "HTTP " + r.Response.Status + ", " + string(r.ResponseBody)
}

// RequestConfig is an HTTP request configuration.
type RequestConfig struct {
	Request                *http.Request
	ShouldRetryOnRateLimit bool
	MaxRestRetries         int
	Client                 *http.Client
}

// newRequestConfig returns a new HTTP request configuration based on parameters in Session.
func newRequestConfig(s *Session, req *http.Request) *RequestConfig {
	return &RequestConfig{
		ShouldRetryOnRateLimit: s.ShouldRetryOnRateLimit,
		MaxRestRetries:         s.MaxRestRetries,
		Client:                 s.Client,
		Request:                req,
	}
}

// RequestOption is a function which mutates request configuration.
// It can be supplied as an argument to any REST method.
type RequestOption func(cfg *RequestConfig)

// WithContext changes context of the request.
func WithContext(ctx context.Context) RequestOption {
	return func(cfg *RequestConfig) {
		cfg.Request = cfg.Request.WithContext(ctx)
	}
}

// Request is the same as RequestWithBucketID but the bucket id is the same as the urlStr
func (s *Session) Request(method, urlStr string, data interface{}, options ...RequestOption) (response []byte, err error) {
	return s.RequestWithBucketID(method, urlStr, data, strings.SplitN(urlStr, "?", 2)[0], options...)
}

// RequestWithBucketID makes a (GET/POST/...) Requests to Discord REST API with JSON data.
func (s *Session) RequestWithBucketID(method, urlStr string, data interface{}, bucketID string, options ...RequestOption) (response []byte, err error) {
	var body []byte
	if data != nil {
		body, err = Marshal(data)
		if err != nil {
			return
		}
	}

	return s.request(method, urlStr, "application/json", body, bucketID, 0, options...)
}

// request makes a (GET/POST/...) Requests to Discord REST API.
func (s *Session) request(method, urlStr, contentType string, b []byte, bucketID string, sequence int, options ...RequestOption) (response []byte, err error) {
	return s.RequestWithLockedBucket(method, urlStr, contentType, b, sequence, options...)
}

// RequestWithLockedBucket makes a request using a bucket that's already been locked
// (the rate-limit bucket bookkeeping is left out of this reduction).
func (s *Session) RequestWithLockedBucket(method, urlStr, contentType string, b []byte, sequence int, options ...RequestOption) (response []byte, err error) {
	if s.Debug {
		log.Printf("API REQUEST %8s :: %s\n", method, urlStr)
	}

	req, err := http.NewRequest(method, urlStr, bytes.NewBuffer(b))
	if err != nil {
		return
	}

	if s.Token != "" {
		req.Header.Set("authorization", s.Token)
	}

	// Discord's API returns a 400 Bad Request is Content-Type is set, but the
	// request body is empty.
	if b != nil {
		req.Header.Set("Content-Type", contentType)
	}

	req.Header.Set("User-Agent", s.UserAgent)

	cfg := newRequestConfig(s, req)
	for _, opt := range options {
		opt(cfg)
	}
	req = cfg.Request

	if s.Debug {
		for k, v := range req.Header {
			log.Printf("API REQUEST   HEADER :: [%s] = %+v\n", k, v)
		}
	}

	resp, err := cfg.Client.Do(req)
	if err != nil {
		return
	}
	defer func() {
		err2 := resp.Body.Close()
		if s.Debug && err2 != nil {
			log.Println("error closing resp body")
		}
	}()

	response, err = io.ReadAll(resp.Body)
	if err != nil {
		return
	}

	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusCreated:
	case http.StatusNoContent:
	case http.StatusBadGateway:
		// Retry sending request if possible
		if sequence < cfg.MaxRestRetries {
			response, err = s.RequestWithLockedBucket(method, urlStr, contentType, b, sequence+1, options...)
		} else {
			err = fmt.Errorf("Exceeded Max retries HTTP %s, %s", resp.Status, response)
		}
	default: // Error condition
		err = newRestError(req, resp, response)
	}

	return
}

func unmarshal(data []byte, v interface{}) error {
	err := Unmarshal(data, v)
	if err != nil {
		return fmt.Errorf("%w: %s", ErrJSONUnmarshal, err)
	}

	return nil
}

// User returns the user details of the given userID
// userID    : A user ID or "@me" which is a shortcut of current user ID
func (s *Session) User(userID string, options ...RequestOption) (st *User, err error) {
	body, err := s.RequestWithBucketID("GET", EndpointUser(userID), nil, EndpointUsers, options...)
	if err != nil {
		return
	}

	err = unmarshal(body, &st)
	return
}
