// Recall case nd-telegraf-netresponse-dial
// Source: github.com/influxdata/telegraf commit c44ecf54a5eb1c6ff44ad68a986068d223f4ae73 (plugins/inputs/net_response/net_response.go)
// Link: https://github.com/influxdata/telegraf/issues/1214
// Bug: TcpGather resolves the address and connects with net.DialTCP, ignoring the configured Timeout, so probing a host that drops packets hangs the plugin indefinitely.
// Fix: connect with net.DialTimeout("tcp", n.Address, n.Timeout).
// Rule: nodeadline
package netresponse

import (
	"bufio"
	"net"
	"net/textproto"
	"time"
)

// NetResponses struct
type NetResponse struct {
	Address     string
	Timeout     time.Duration
	ReadTimeout time.Duration
	Send        string
	Expect      string
}

func (n *NetResponse) TcpGather() (map[string]interface{}, error) {
	// Prepare fields
	fields := make(map[string]interface{})
	// Start Timer
	start := time.Now()
	// Connecting
	conn, err := net.DialTimeout("tcp", n.Address, n.Timeout)
	// Stop timer
	responseTime := time.Since(start).Seconds()
	// Handle error
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	// Send string if needed
	if n.Send != "" {
		conn.Write([]byte(n.Send))
		responseTime = time.Since(start).Seconds()
	}
	// Read string if needed
	if n.Expect != "" {
		// Set read timeout
		conn.SetReadDeadline(time.Now().Add(n.ReadTimeout))
		tp := textproto.NewReader(bufio.NewReader(conn))
		data, err := tp.ReadLine()
		fields["string_found"] = err == nil && data != ""
	}
	fields["response_time"] = responseTime
	return fields, nil
}
