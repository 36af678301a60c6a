// Recall case sd-trufflehog-mongoverify
// Source: github.com/trufflesecurity/trufflehog commit 75557f61edd594c5f3ce8098625ebbe3267f0ec2 (pkg/detectors/mongodb/mongodb.go)
// Link: https://github.com/trufflesecurity/trufflehog/commit/75557f61edd594c5f3ce8098625ebbe3267f0ec2
// Bug: FromData receives the scan ctx but verifyUri builds its own budget with context.WithTimeout(context.Background(), timeout) for the MongoDB connect/ping/disconnect, so cancelling or timing out the scan does not stop verification.
// Fix: verifyUri takes the caller's ctx and derives its timeout from it (context.WithTimeout(ctx, timeout)).
// Rule: sharedeadline
package mongodb

import (
	"context"
	"errors"
	"net/url"
	"regexp"
	"strings"
	"time"
)

type Scanner struct {
	timeout time.Duration // Zero value means "default timeout"
}

// Result is the subset of detectors.Result used here.
type Result struct {
	Raw               []byte
	Verified          bool
	VerificationError error
}

var (
	defaultTimeout = 2 * time.Second
	// Make sure that your group is surrounded in boundary characters such as below to reduce false positives.
	keyPat = regexp.MustCompile(`\b(mongodb(\+srv)?://[\S]{3,50}:([\S]{3,88})@[-.%\w\/:]+)\b`)
)

// Keywords are used for efficiently pre-filtering chunks.
func (s Scanner) Keywords() []string {
	return []string{"mongodb"}
}

// FromData will find and optionally verify MongoDB secrets in a given set of bytes.
func (s Scanner) FromData(ctx context.Context, verify bool, data []byte) (results []Result, err error) {
	dataStr := string(data)

	matches := keyPat.FindAllStringSubmatch(dataStr, -1)

	for _, match := range matches {
		resMatch := strings.TrimSpace(match[1])

		s1 := Result{
			Raw: []byte(resMatch),
		}

		if verify {
			timeout := s.timeout
			if timeout == 0 {
				timeout = defaultTimeout
			}
			err := verifyUri(ctx, resMatch, timeout)
			s1.Verified = err == nil
			if !isErrDeterminate(err) {
				s1.VerificationError = err
			}
		}
		results = append(results, s1)
	}

	return results, nil
}

func isErrDeterminate(err error) bool {
	var authErr *authError
	return errors.As(err, &authErr)
}

func verifyUri(ctx context.Context, uri string, timeout time.Duration) error {
	parsed, err := url.Parse(uri)
	if err != nil {
		return err
	}

	params := url.Values{}
	for k, v := range parsed.Query() {
		if len(v) > 0 {
			switch k {
			case "tls":
				if v[0] == "false" {
					params.Set("tls", "false")
				} else {
					params.Set("tls", "true")
				}
			}
		}
	}
	parsed.RawQuery = params.Encode()
	parsed.Path = "/"
	uri = parsed.String()

	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	client, err := mongoConnect(ctx, uri, timeout)
	if err != nil {
		return err
	}
	defer func() {
		_ = client.Disconnect(ctx)
	}()
	return client.Ping(ctx)
}
