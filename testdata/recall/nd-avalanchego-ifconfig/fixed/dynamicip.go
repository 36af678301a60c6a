// Recall case nd-avalanchego-ifconfig
// Source: github.com/ava-labs/avalanchego commit 991c32b6e9fefc76db67e8ba54f07132e0ffc383 (utils/dynamicip/ifconfig_resolver.go, utils/dynamicip/updater.go)
// Link: https://github.com/ava-labs/avalanchego/commit/991c32b6e9fefc76db67e8ba54f07132e0ffc383
// Bug: ifConfigResolver.Resolve builds its HTTP GET with context.TODO() and sends it with http.DefaultClient (no Timeout), so a stalled ifconfig server blocks the periodic Dispatch loop forever and Stop() never returns.
// Fix: Resolve takes a ctx, and Dispatch passes context.WithTimeout(u.rootCtx, ipResolutionTimeout) (root ctx cancelled by Stop).
// Rule: nodeadline
package dynamicip

import (
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

const ipResolutionTimeout = 10 * time.Second

// Resolver resolves our public IP
type Resolver interface {
	// Resolve and return our public IP.
	Resolve(context.Context) (net.IP, error)
}

var _ Resolver = (*ifConfigResolver)(nil)

// ifConfigResolver resolves our public IP using ifconfig's format.
type ifConfigResolver struct {
	url string
}

func (r *ifConfigResolver) Resolve(ctx context.Context) (net.IP, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", r.url, nil)
	if err != nil {
		return nil, err
	}

	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()

	ipBytes, err := io.ReadAll(resp.Body)
	if err != nil {
		// Drop any error to report the original error
		return nil, fmt.Errorf("failed to read response from %q: %w", r.url, err)
	}

	ipStr := string(ipBytes)
	ipStr = strings.TrimSpace(ipStr)
	ipResolved := net.ParseIP(ipStr)
	if ipResolved == nil {
		return nil, fmt.Errorf("couldn't parse IP from %q", ipStr)
	}
	return ipResolved, nil
}

// DynamicIPPort is a stand-in for ips.DynamicIPPort.
type DynamicIPPort struct {
	lock sync.RWMutex
	ip   net.IP
}

func (d *DynamicIPPort) IP() net.IP {
	d.lock.RLock()
	defer d.lock.RUnlock()
	return d.ip
}

func (d *DynamicIPPort) SetIP(ip net.IP) {
	d.lock.Lock()
	defer d.lock.Unlock()
	d.ip = ip
}

// Updater periodically updates this node's public IP.
type Updater interface {
	Dispatch(log *log.Logger)
	Stop()
}

var _ Updater = (*updater)(nil)

type updater struct {
	// The IP we periodically modify.
	dynamicIP *DynamicIPPort
	// Used to find out what our public IP is.
	resolver Resolver
	// The parent of all contexts passed into resolver.Resolve().
	// Cancelling causes Dispatch() to eventually return.
	rootCtx context.Context
	// Cancelling causes Dispatch() to eventually return.
	// All in-flight calls to resolver.Resolve() will be cancelled.
	rootCtxCancel context.CancelFunc
	// Closed when Dispatch() has returned.
	doneChan chan struct{}
	// How often we update the public IP.
	updateFreq time.Duration
}

func NewUpdater(
	dynamicIP *DynamicIPPort,
	resolver Resolver,
	updateFreq time.Duration,
) Updater {
	ctx, cancel := context.WithCancel(context.Background())
	return &updater{
		dynamicIP:     dynamicIP,
		resolver:      resolver,
		rootCtx:       ctx,
		rootCtxCancel: cancel,
		doneChan:      make(chan struct{}),
		updateFreq:    updateFreq,
	}
}

// Start updating [u.dynamicIP] every [u.updateFreq].
// Stops when [u.rootCtx] is cancelled.
func (u *updater) Dispatch(log *log.Logger) {
	ticker := time.NewTicker(u.updateFreq)
	defer func() {
		ticker.Stop()
		close(u.doneChan)
	}()

	for {
		select {
		case <-ticker.C:
			oldIP := u.dynamicIP.IP()

			ctx, cancel := context.WithTimeout(u.rootCtx, ipResolutionTimeout)
			newIP, err := u.resolver.Resolve(ctx)
			cancel()
			if err != nil {
				log.Printf("couldn't resolve public IP: %v", err)
				continue
			}

			if !newIP.Equal(oldIP) {
				u.dynamicIP.SetIP(newIP)
				log.Printf("updated public IP to %s", newIP)
			}
		case <-u.rootCtx.Done():
			return
		}
	}
}

func (u *updater) Stop() {
	// Cause Dispatch() to return and cancel all
	// in-flight calls to resolver.Resolve().
	u.rootCtxCancel()
	// Wait until Dispatch() has returned.
	<-u.doneChan
}
