// Recall case nd-yggdrasil-go-adminsocket
// Source: github.com/yggdrasil-network/yggdrasil-go commit 918ce5a3fcf9f89e63685d1ffa7cf50e1889a41e (src/yggdrasil/admin.go)
// Link: https://github.com/yggdrasil-network/yggdrasil-go/commit/918ce5a3fcf9f89e63685d1ffa7cf50e1889a41e
// Bug: When the UNIX admin socket file already exists, listen probes it with net.Dial, which has no timeout, so startup can hang forever on a stale or unresponsive socket.
// Fix: The probe uses net.DialTimeout with a 2 second timeout (and treats a timeout as "in use").
// Rule: nodeadline
package admin

import (
	"log"
	"net"
	"net/url"
	"os"
	"strings"
	"time"
)

type admin struct {
	listenaddr string
	listener   net.Listener
	logger     *log.Logger
}

func (a *admin) close() error {
	if a.listener != nil {
		return a.listener.Close()
	} else {
		return nil
	}
}

// listen is run by start and manages API connections.
func (a *admin) listen() {
	u, err := url.Parse(a.listenaddr)
	if err == nil {
		switch strings.ToLower(u.Scheme) {
		case "unix":
			if _, err := os.Stat(a.listenaddr[7:]); err == nil {
				a.logger.Println("Admin socket", a.listenaddr[7:], "already exists, trying to clean up")
				if _, err := net.DialTimeout("unix", a.listenaddr[7:], time.Second*2); err == nil || err.(net.Error).Timeout() {
					a.logger.Println("Admin socket", a.listenaddr[7:], "already exists and is in use by another process")
					os.Exit(1)
				} else {
					if err := os.Remove(a.listenaddr[7:]); err == nil {
						a.logger.Println(a.listenaddr[7:], "was cleaned up")
					} else {
						a.logger.Println(a.listenaddr[7:], "already exists and was not cleaned up:", err)
						os.Exit(1)
					}
				}
			}
			a.listener, err = net.Listen("unix", a.listenaddr[7:])
			if err == nil {
				switch a.listenaddr[7:8] {
				case "@": // maybe abstract namespace
				default:
					if err := os.Chmod(a.listenaddr[7:], 0660); err != nil {
						a.logger.Println("WARNING:", a.listenaddr[:7], "may have unsafe permissions!")
					}
				}
			}
		case "tcp":
			a.listener, err = net.Listen("tcp", u.Host)
		default:
			a.listener, err = net.Listen("tcp", a.listenaddr)
		}
	} else {
		a.listener, err = net.Listen("tcp", a.listenaddr)
	}
	if err != nil {
		a.logger.Printf("Admin socket failed to listen: %v", err)
		os.Exit(1)
	}
	defer a.listener.Close()
	for {
		conn, err := a.listener.Accept()
		if err == nil {
			go a.handleRequest(conn)
		}
	}
}

func (a *admin) handleRequest(conn net.Conn) {
	_ = conn.Close()
}
