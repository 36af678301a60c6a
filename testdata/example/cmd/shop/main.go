package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"time"

	"example.com/shop/store"
)

type server struct{ orders *store.Store }

// order handles GET /order: the request's context is the server's, so it is threaded on.
func (s *server) order(w http.ResponseWriter, r *http.Request) {
	name, err := s.orders.Load(r.Context(), 1)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	fmt.Fprintln(w, name)
}

// audit records the visit, but drops the request's context on the way.
func audit(db *sql.DB) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if _, err := db.Exec("INSERT INTO audit(path) VALUES ($1)", r.URL.Path); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	}
}

// report loads an order for a nightly report, but forgets the caller's budget.
func (s *server) report() (string, error) {
	return s.orders.Load(context.Background(), 1)
}

// price asks the pricing service with no timeout at all.
func price(id int) (string, error) {
	resp, err := http.Get(fmt.Sprintf("http://pricing.internal/price/%d", id))
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}

// stock threads its ctx everywhere: nothing to report.
func stock(ctx context.Context, id int) (*http.Response, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("http://stock.internal/%d", id), nil)
	if err != nil {
		return nil, err
	}
	return http.DefaultClient.Do(req)
}

func main() {
	db, err := sql.Open("postgres", "")
	if err != nil {
		panic(err)
	}
	s := &server{orders: store.New(db)}
	http.HandleFunc("/order", s.order)
	http.HandleFunc("/audit", audit(db))
	fmt.Println(s.report())
	fmt.Println(price(1))
	fmt.Println(stock(context.Background(), 1))
	srv := &http.Server{Addr: ":8080", ReadHeaderTimeout: 5 * time.Second}
	panic(srv.ListenAndServe())
}
