// Recall case sd-argocd-grpcproxy
// Source: github.com/argoproj/argo-cd commit 8b8d04ecfaeef46f030d6d42361ee0210edc264a (pkg/apiclient/grpcproxy.go)
// Link: https://github.com/argoproj/argo-cd/pull/24157
// Bug: the grpc-web proxy handler in startGRPCProxy has stream.Context() in scope but calls executeRequest, which builds http.NewRequest without ctx, so the caller gRPC deadline/cancellation never reaches the upstream HTTP call.
// Fix: executeRequest takes ctx and uses http.NewRequestWithContext; the handler passes stream.Context().
// Rule: sharedeadline

package apiclient

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

const (
	frameHeaderLength = 5
	endOfStreamFlag   = 128
)

type client struct {
	ServerAddr      string
	PlainText       bool
	GRPCWebRootPath string
	Headers         []string

	httpClient *http.Client
}

func toFrame(msg []byte) []byte {
	frame := append([]byte{0, 0, 0, 0}, msg...)
	binary.BigEndian.PutUint32(frame, uint32(len(msg)))
	frame = append([]byte{0}, frame...)
	return frame
}

func (c *client) executeRequest(ctx context.Context, fullMethodName string, msg []byte, md MD) (*http.Response, error) {
	schema := "https"
	if c.PlainText {
		schema = "http"
	}
	rootPath := strings.TrimRight(strings.TrimLeft(c.GRPCWebRootPath, "/"), "/")

	var requestURL string
	if rootPath != "" {
		requestURL = fmt.Sprintf("%s://%s/%s%s", schema, c.ServerAddr, rootPath, fullMethodName)
	} else {
		requestURL = fmt.Sprintf("%s://%s%s", schema, c.ServerAddr, fullMethodName)
	}
	// Use context in the HTTP request
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, requestURL, bytes.NewReader(toFrame(msg)))
	if err != nil {
		return nil, err
	}
	for k, v := range md {
		if strings.HasPrefix(k, ":") {
			continue
		}
		for i := range v {
			req.Header.Set(k, v[i])
		}
	}
	req.Header.Set("content-type", "application/grpc-web+proto")

	resp, err := c.httpClient.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s %s failed with status code %d", req.Method, req.URL, resp.StatusCode)
	}
	if statusStr := resp.Header.Get("Grpc-Status"); statusStr != "" {
		code, err := strconv.ParseUint(statusStr, 10, 32)
		if err != nil || code != 0 {
			_ = resp.Body.Close()
			return nil, fmt.Errorf("rpc error: code = %s desc = %s", statusStr, resp.Header.Get("Grpc-Message"))
		}
	}
	return resp, nil
}

func (c *client) startGRPCProxy() (*Server, error) {
	proxySrv := NewServer(
		UnknownServiceHandler(func(_ any, stream ServerStream) error {
			fullMethodName, ok := MethodFromServerStream(stream)
			if !ok {
				return errors.New("unable to get method name from stream context")
			}
			msg := make([]byte, 0)
			err := stream.RecvMsg(&msg)
			if err != nil {
				return err
			}

			md, _ := FromIncomingContext(stream.Context())
			headersMD, err := parseGRPCHeaders(c.Headers)
			if err != nil {
				return err
			}

			md = Join(md, headersMD)

			resp, err := c.executeRequest(stream.Context(), fullMethodName, msg, md)
			if err != nil {
				return err
			}

			go func() {
				<-stream.Context().Done()
				_ = resp.Body.Close()
			}()
			defer resp.Body.Close()
			c.httpClient.CloseIdleConnections()

			for {
				header := make([]byte, frameHeaderLength)
				if _, err := io.ReadAtLeast(resp.Body, header, frameHeaderLength); err != nil {
					if errors.Is(err, io.EOF) {
						err = io.ErrUnexpectedEOF
					}
					return err
				}

				if header[0] == endOfStreamFlag {
					return nil
				}
				length := int(binary.BigEndian.Uint32(header[1:frameHeaderLength]))
				data := make([]byte, length)

				if read, err := io.ReadAtLeast(resp.Body, data, length); err != nil {
					if !errors.Is(err, io.EOF) {
						return err
					} else if read < length {
						return io.ErrUnexpectedEOF
					}
					return nil
				}

				if err := stream.SendMsg(data); err != nil {
					return err
				}
			}
		}))
	return proxySrv, nil
}

func parseGRPCHeaders(headerStrings []string) (MD, error) {
	md := MD{}
	for _, kv := range headerStrings {
		i := strings.IndexByte(kv, ':')
		// zero means meaningless empty header name
		if i <= 0 {
			return nil, fmt.Errorf("additional headers must be colon(:)-separated: %s", kv)
		}
		md[strings.ToLower(kv[0:i])] = append(md[strings.ToLower(kv[0:i])], kv[i+1:])
	}
	return md, nil
}
