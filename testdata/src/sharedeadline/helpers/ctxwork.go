package helpers

import (
	"bufio"
	"context"
	"os"
	"time"
)

// osv-scalibr's rpmdb extractor: the walk over a database stops when its
// context is done (it waits on nothing outside: a corrupt database loops
// for long), and the helper gave it a budget of its own.
type rpmDB struct{ f *os.File }

func (d *rpmDB) listWithContext(ctx context.Context) ([]string, error) {
	var out []string
	sc := bufio.NewScanner(d.f)
	for sc.Scan() {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		out = append(out, sc.Text())
	}
	return out, sc.Err()
}

type Extractor struct {
	Timeout time.Duration
	db      *rpmDB
}

func (e Extractor) Extract(ctx context.Context) ([]string, error) {
	return e.parseDB() // want `\(helpers.Extractor\).parseDB starts its own context.WithTimeout\(context.Background\(\), …\), which reaches \(\*helpers.rpmDB\).listWithContext: the wait ignores ctx's deadline and cancellation; pass ctx to it \(and derive from it\)`
}

func (e Extractor) parseDB() ([]string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), e.Timeout)
	defer cancel()
	return e.db.listWithContext(ctx)
}

// A bare root handed to such work bounds nothing: no budget was chosen
// there, and the work waits on nothing outside.
func (e Extractor) ExtractAll(ctx context.Context) ([]string, error) {
	return e.parseAll()
}

func (e Extractor) parseAll() ([]string, error) {
	return e.db.listWithContext(context.Background())
}
