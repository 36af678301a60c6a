package classify

import (
	"context"
	"net/http"
	"os"
	"os/signal"
	"time"
)

func probe(ctx context.Context) {}

func roots(ctx context.Context) {
	probe(context.Background())             // want `no-deadline: context.Background\(\)`
	probe(context.TODO())                   // want `no-deadline: context.TODO\(\)`
	probe(context.WithoutCancel(ctx))       // want `no-deadline: context.WithoutCancel\(…\)`
	probe(ctx)                              // want `inherited: parameter ctx`
	probe(context.WithValue(ctx, "k", "v")) // want `inherited: parameter ctx`
	c, cancel := context.WithCancel(context.Background())
	defer cancel()
	probe(c) // want `no-deadline: context.Background\(\)`
}

func deadlines(ctx context.Context, d time.Duration) {
	a, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	probe(a) // want `deadline: context.WithTimeout\(…\) 3s`
	b, cancel2 := context.WithTimeout(context.Background(), d)
	defer cancel2()
	probe(b) // want `deadline: context.WithTimeout\(…\) 0s`
	e, cancel3 := context.WithDeadline(ctx, time.Now())
	defer cancel3()
	probe(e) // want `deadline: context.WithDeadline\(…\)`
	f, cancel4 := context.WithCancel(a)
	defer cancel4()
	probe(f) // want `deadline: context.WithTimeout\(…\) 3s`
}

func phis(ctx context.Context, cond bool) {
	c := context.Background()
	if cond {
		c = ctx
	}
	probe(c) // want `maybe-no-deadline: context.Background\(\)`
	if ctx == nil {
		ctx = context.Background()
	}
	probe(ctx) // want `inherited: parameter ctx`
	d := context.TODO()
	if cond {
		d = context.Background()
	}
	probe(d) // want `no-deadline: context.TODO\(\)`
	for i := 0; i < 3; i++ {
		c = context.WithValue(c, "i", i)
	}
	probe(c) // want `maybe-no-deadline`
}

type server struct{ ctx context.Context }

func (s *server) fields(w http.ResponseWriter, r *http.Request, mk func() context.Context) {
	probe(s.ctx)       // want `inherited: field ctx`
	probe(r.Context()) // want `inherited: \(\*http.Request\).Context\(\)`
	probe(mk())        // want `unknown`
	req, _ := http.NewRequest("GET", "/", nil)
	probe(req.Context()) // want `no-deadline: http.NewRequest`
	sig, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	probe(sig) // want `inherited: signal.NotifyContext\(…\)`
}

func closures(ctx context.Context) {
	bg := context.Background()
	func() {
		probe(ctx) // want `inherited: parameter ctx`
		probe(bg)  // want `no-deadline: context.Background\(\)`
	}()
	var late context.Context
	late = context.TODO()
	go func() {
		probe(late) // want `no-deadline: context.TODO\(\)`
	}()
}

func generic[T any](ctx context.Context, v T) {
	probe(ctx)                  // want `inherited: parameter ctx`
	probe(context.Background()) // want `no-deadline`
}
