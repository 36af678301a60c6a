// Recall case nd-toxiproxy-apiserver
// Source: github.com/Shopify/toxiproxy commit eb7154de398ebd7e65ae0ea1f296af30679c0073 (api.go)
// Link: https://github.com/Shopify/toxiproxy/commit/eb7154de398ebd7e65ae0ea1f296af30679c0073
// Bug: ApiServer.Listen serves the API with http.ListenAndServe (DefaultServeMux, zero http.Server): no ReadTimeout/WriteTimeout, so reads/writes on client connections can block forever.
// Fix: build an http.Server{Handler, Addr, WriteTimeout: 10s, ReadTimeout: 10s} and call srv.ListenAndServe().
// Rule: nodeadline
package toxind

import (
	"encoding/json"
	"log"
	"net"
	"net/http"
	"strings"
	"time"
)

const Version = "git"

type ApiServer struct {
	Logger *log.Logger
}

func NewServer(logger *log.Logger) *ApiServer {
	return &ApiServer{Logger: logger}
}

func StopBrowsersMiddleware(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.UserAgent(), "Mozilla/") {
			http.Error(w, "User agent not allowed", 403)
		} else {
			h.ServeHTTP(w, r)
		}
	})
}

func timeoutMiddleware(next http.Handler) http.Handler {
	return http.TimeoutHandler(next, 5*time.Second, "")
}

func (server *ApiServer) Listen(host string, port string) {
	r := http.NewServeMux()

	r.Handle("/version", timeoutMiddleware(http.HandlerFunc(server.Version)))

	http.Handle("/", StopBrowsersMiddleware(r))

	server.Logger.Printf("Starting HTTP server on endpoint %s:%s (version %s)", host, port, Version)

	err := http.ListenAndServe(net.JoinHostPort(host, port), nil)
	if err != nil {
		server.Logger.Fatalf("ListenAndServe finished with error: %v", err)
	}
}

func (server *ApiServer) Version(response http.ResponseWriter, request *http.Request) {
	response.Header().Set("Content-Type", "application/json;charset=utf-8")
	data, err := json.Marshal(map[string]string{"version": Version})
	if err != nil {
		http.Error(response, err.Error(), http.StatusInternalServerError)
		return
	}
	_, _ = response.Write(data)
}
