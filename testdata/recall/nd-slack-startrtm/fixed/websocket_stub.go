// Recall case nd-slack-startrtm
// Source: github.com/slack-go/slack commit d86785d50d4be9c2e11cfbb0ed601f5dcb22899c (rtm.go, websocket_proxy.go)
// Link: https://github.com/slack-go/slack/commit/d86785d50d4be9c2e11cfbb0ed601f5dcb22899c
// Bug: RTM.startRTMAndDial calls Client.StartRTM/ConnectRTM, which pass context.Background() to post -> postForm -> HTTPClient.Do on an http.Client{} without Timeout, and websocketProxyDial dials with no timeout; a stalled network locks the RTM connect forever.
// Fix: StartRTM/ConnectRTM derive context.WithTimeout(context.Background(), websocketDefaultTimeout) and websocketProxyDial sets config.Dialer = &net.Dialer{Timeout: 10s}.
// Rule: nodeadline
package slack

// Stub of the golang.org/x/net/websocket client entry points used above
// (websocket.Dial, websocket.NewConfig, websocket.DialConfig). Like the real
// library, DialConfig dials with config.Dialer, falling back to a zero
// net.Dialer (no timeout) when none is set. The websocket handshake itself is
// left out.

import (
	"crypto/tls"
	"errors"
	"net"
	"net/url"
)

// websocketConfig mirrors websocket.Config.
type websocketConfig struct {
	Location *url.URL
	Origin   *url.URL
	Dialer   *net.Dialer
}

// websocketNewConfig mirrors websocket.NewConfig.
func websocketNewConfig(server, origin string) (*websocketConfig, error) {
	loc, err := url.ParseRequestURI(server)
	if err != nil {
		return nil, err
	}
	org, err := url.ParseRequestURI(origin)
	if err != nil {
		return nil, err
	}
	return &websocketConfig{Location: loc, Origin: org}, nil
}

// websocketDial mirrors websocket.Dial.
func websocketDial(urlString, protocol, origin string) (net.Conn, error) {
	config, err := websocketNewConfig(urlString, origin)
	if err != nil {
		return nil, err
	}
	return websocketDialConfig(config)
}

// websocketDialConfig mirrors websocket.DialConfig.
func websocketDialConfig(config *websocketConfig) (net.Conn, error) {
	dialer := config.Dialer
	if dialer == nil {
		dialer = &net.Dialer{}
	}
	switch config.Location.Scheme {
	case "ws":
		return dialer.Dial("tcp", config.Location.Host)
	case "wss":
		return tls.DialWithDialer(dialer, "tcp", config.Location.Host, &tls.Config{})
	default:
		return nil, errors.New("invalid websocket schema")
	}
}
