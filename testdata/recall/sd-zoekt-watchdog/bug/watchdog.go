// Recall case sd-zoekt-watchdog
// Source: github.com/sourcegraph/zoekt commit f637338d2201c8004ef6322821fe32e5ee97165d (cmd/zoekt-webserver/main.go)
// Link: https://github.com/sourcegraph/zoekt/commit/f637338d2201c8004ef6322821fe32e5ee97165d
// Bug: watchdogOnce takes a ctx but builds its 5s deadline from context.Background(), so the health-check HTTP request ignores the caller's cancellation and deadline.
// Fix: Derive the 5s deadline context from the ctx parameter instead of context.Background().
// Rule: sharedeadline
package webserver

import (
	"context"
	"crypto/tls"
	"fmt"
	"log"
	"net/http"
	"time"
)

func watchdogOnce(ctx context.Context, client *http.Client, addr string) error {
	ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(5*time.Second))
	defer cancel()

	req, err := http.NewRequest("GET", addr, nil)
	if err != nil {
		return err
	}

	req = req.WithContext(ctx)

	resp, err := client.Do(req)
	if err != nil {
		return err
	}

	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("watchdog: status %v", resp.StatusCode)
	}
	return nil
}

func watchdog(dt time.Duration, addr string) {
	tr := &http.Transport{
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true},
	}
	client := &http.Client{
		Transport: tr,
	}
	tick := time.NewTicker(dt)

	for range tick.C {
		err := watchdogOnce(context.Background(), client, addr)
		if err != nil {
			log.Panicf("watchdog: %v", err)
		}
	}
}
