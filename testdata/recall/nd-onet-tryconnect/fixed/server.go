// Recall case nd-onet-tryconnect
// Source: github.com/dedis/onet commit c1d0762ad1cb2277d153f0636520b14db0ffbc79 (app/server.go)
// Link: https://github.com/dedis/onet/commit/c1d0762ad1cb2277d153f0636520b14db0ffbc79
// Bug: tryConnect asks an external portscan service whether the public port is reachable using http.Get, i.e. the default client with no timeout, so interactive setup can hang forever if the service never answers.
// Fix: the request is made with an http.Client{Timeout: 10 * time.Second}.
// Rule: nodeadline
package app

import (
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strconv"
	"time"
)

const portscan = "https://blog.dedis.ch/portscan.php"

// InteractiveConfig checks whether the public address is reachable and
// otherwise asks the user for another one.
func InteractiveConfig(publicAddress, serverBinding string, ask func() string) string {
	tryIP := publicAddress
	log.Println("Check if the address", tryIP, "is reachable from the Internet by binding to", serverBinding, ".")
	if err := tryConnect(tryIP, serverBinding); err != nil {
		log.Println(err)
		return ask()
	}
	return tryIP
}

// tryConnect asks an internet service to connect to the given address.
// In case anything goes wrong, an error is returned.
func tryConnect(ip, binding string) error {
	_, portStr, err := net.SplitHostPort(ip)
	if err != nil {
		return err
	}

	port, err := strconv.Atoi(portStr)
	if err != nil {
		return err
	}

	// Ask the check. Since the public adress may not be available at this time
	// we set up a timeout of 10 seconds.
	url := fmt.Sprintf("%s?port=%d", portscan, port)
	log.Printf("Trying for 10 sec to get the public IP (%s)...", url)
	timeout := time.Duration(10 * time.Second)
	client := http.Client{
		Timeout: timeout,
	}
	resp, err := client.Get(url)
	// can't get the public ip then ask the user for a reachable one
	if err != nil {
		return errors.New("...could not get your public IP address")
	}

	buff, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}

	res := string(buff)
	if res != "Open" {
		return fmt.Errorf("Portscan returned: %s", res)
	}
	return nil
}
