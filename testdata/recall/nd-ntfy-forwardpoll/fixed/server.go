// Recall case nd-ntfy-forwardpoll
// Source: github.com/binwiederhier/ntfy commit f9284a098a7b47906918e0a23bf38b08a666b537 (server/server.go)
// Link: https://github.com/binwiederhier/ntfy/commit/f9284a098a7b47906918e0a23bf38b08a666b537
// Bug: Server.forwardPollRequest (spawned by handlePublish) POSTs to the upstream server with http.DefaultClient and a ctx-less request, so a stalled upstream blocks the goroutine forever
// Fix: use an &http.Client{Timeout: 10s} for the forward request
// Rule: nodeadline
package ntfy

import (
	"crypto/sha256"
	"fmt"
	"log"
	"net/http"
	"strings"
	"time"
)

type config struct {
	BaseURL         string
	UpstreamBaseURL string
}

type visitor struct {
	ip string
}

type message struct {
	ID    string
	Topic string
}

type Server struct {
	config *config
}

func (s *Server) handlePublish(w http.ResponseWriter, r *http.Request, v *visitor) error {
	m := &message{ID: r.Header.Get("X-ID"), Topic: strings.TrimPrefix(r.URL.Path, "/")}
	if s.config.UpstreamBaseURL != "" {
		go s.forwardPollRequest(v, m)
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

func (s *Server) forwardPollRequest(v *visitor, m *message) {
	topicURL := fmt.Sprintf("%s/%s", s.config.BaseURL, m.Topic)
	topicHash := fmt.Sprintf("%x", sha256.Sum256([]byte(topicURL)))
	forwardURL := fmt.Sprintf("%s/%s", s.config.UpstreamBaseURL, topicHash)
	req, err := http.NewRequest("POST", forwardURL, strings.NewReader(""))
	if err != nil {
		log.Printf("[%s] FWD - Unable to forward poll request: %v", v.ip, err.Error())
		return
	}
	req.Header.Set("X-Poll-ID", m.ID)
	var httpClient = &http.Client{
		Timeout: time.Second * 10,
	}
	response, err := httpClient.Do(req)
	if err != nil {
		log.Printf("[%s] FWD - Unable to forward poll request: %v", v.ip, err.Error())
		return
	} else if response.StatusCode != http.StatusOK {
		log.Printf("[%s] FWD - Unable to forward poll request, unexpected status: %d", v.ip, response.StatusCode)
		return
	}
}
