// Recall case sc-bot-rawrequest
// Source: github.com/go-telegram/bot commit 1efca4fae9d24f030c90561f942b62827fee2249 (raw_request.go)
// Link: https://github.com/go-telegram/bot/commit/1efca4fae9d24f030c90561f942b62827fee2249
// Bug: when b.client.Do fails, rawRequest rebuilds the error with errors.New(strings.Replace(errDo.Error(), token, "***")), so a context.Canceled / DeadlineExceeded from the caller's ctx is flattened to a string and errors.Is(err, context.Canceled) is false for callers.
// Fix: mask the token inside the *url.Error in place and wrap the original errDo with %w.
// Rule: swallowcancel
package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
)

type HttpClient interface {
	Do(*http.Request) (*http.Response, error)
}

type ErrorsHandler func(err error)

type Bot struct {
	url             string
	token           string
	testEnvironment bool
	client          HttpClient
	errorsHandler   ErrorsHandler
}

var (
	ErrorForbidden  = errors.New("forbidden")
	ErrorBadRequest = errors.New("bad request")
)

type apiResponse struct {
	OK          bool            `json:"ok"`
	Result      json.RawMessage `json:"result,omitempty"`
	Description string          `json:"description,omitempty"`
	ErrorCode   int             `json:"error_code,omitempty"`
}

func buildRequestForm(form *multipart.Writer, params map[string]string) error {
	for k, v := range params {
		if err := form.WriteField(k, v); err != nil {
			return err
		}
	}
	return nil
}

func (b *Bot) rawRequest(ctx context.Context, method string, params map[string]string, dest any) error {
	pr, pw := io.Pipe()
	form := multipart.NewWriter(pw)

	go func() {
		if params != nil {
			errFormData := buildRequestForm(form, params)
			if errFormData != nil {
				if errClose := pw.CloseWithError(fmt.Errorf("error build request form for method %s, %w", method, errFormData)); errClose != nil {
					b.errorsHandler(fmt.Errorf("error close pipe writer for method %s, %w", method, errClose))
				}
				return
			}

			errFormClose := form.Close()
			if errFormClose != nil {
				if errClose := pw.CloseWithError(fmt.Errorf("error form close for method %s, %w", method, errFormClose)); errClose != nil {
					b.errorsHandler(fmt.Errorf("error close pipe writer for method %s, %w", method, errClose))
				}
				return
			}
		}
		if errClose := pw.Close(); errClose != nil {
			b.errorsHandler(fmt.Errorf("error close pipe writer for method %s, %w", method, errClose))
		}
	}()

	u := b.url + "/bot" + b.token + "/"
	if b.testEnvironment {
		u += "test/"
	}
	u += method

	req, errRequest := http.NewRequestWithContext(ctx, http.MethodPost, u, pr)
	if errRequest != nil {
		return fmt.Errorf("error create request for method %s, %w", method, errRequest)
	}

	req.Header.Add("Content-Type", form.FormDataContentType())

	resp, errDo := b.client.Do(req)
	if errDo != nil {
		if errClose := pr.CloseWithError(errDo); errClose != nil {
			b.errorsHandler(fmt.Errorf("error close pipe reader for method %s, %w", method, errClose))
		}
		errDoC := errors.New(strings.Replace(errDo.Error(), b.token, "***", -1))
		return fmt.Errorf("error do request for method %s, %w", method, errDoC)
	}
	defer func() {
		if err := resp.Body.Close(); err != nil {
			b.errorsHandler(fmt.Errorf("failed to close response body: %w", err))
		}
	}()

	body, errReadBody := io.ReadAll(resp.Body)
	if errReadBody != nil {
		return fmt.Errorf("error read response body for method %s, %w", method, errReadBody)
	}

	r := apiResponse{}

	errDecode := json.Unmarshal(body, &r)
	if errDecode != nil {
		return fmt.Errorf("error decode response body for method %s, %s, %w", method, body, errDecode)
	}

	if !r.OK {
		switch r.ErrorCode {
		case 403:
			return fmt.Errorf("%w, %s", ErrorForbidden, r.Description)
		case 400:
			return fmt.Errorf("%w, %s", ErrorBadRequest, r.Description)
		default:
			return fmt.Errorf("error response from telegram for method %s, %d %s", method, r.ErrorCode, r.Description)
		}
	}

	if dest != nil {
		errDecodeDest := json.Unmarshal(r.Result, dest)
		if errDecodeDest != nil {
			return fmt.Errorf("error decode response result for method %s, %w", method, errDecodeDest)
		}
	}

	return nil
}
