package ctxflow

import "github.com/deadlinelint/deadlinelint/analyzer/internal/lintutil"

// Every search of the core over values, stores and fields is memoised per
// package (origins, requests, bounds), so each value, field or variable is
// visited at most once per question: the worst case is linear in the size of
// the package's SSA form, whatever the fan-out of stores and phis. maxSteps
// is a second guard on top of that, per query: a query that still needs more
// steps gives up (the value is Unknown, which is never reported) and the run
// prints one note for the package instead of stalling it.
var maxSteps = 2_000_000

// beginQuery starts the step count of one public query about fn.
func (r *Result) beginQuery(fn interface{ String() string }) {
	r.steps = 0
	r.queryFn = fn
}

// step counts one step of the current query; false means the query is over
// its budget and must answer "unknown".
func (r *Result) step() bool {
	r.steps++
	if r.steps <= maxSteps {
		return true
	}
	if !r.gaveUp {
		r.gaveUp = true
		where := "a function"
		if r.queryFn != nil {
			where = r.queryFn.String()
		}
		lintutil.Note("package %s: gave up following values in %s after %d steps; findings there may be missing",
			r.Pass.Pkg.Path(), where, maxSteps)
	}
	return false
}

// memo answers a search once per key of table: a key met again while its
// own search runs (a cycle), or once the step budget is spent, answers
// unknown. Each key is computed at most once, so a search costs at most the
// number of keys, whatever the fan-out.
func memo[K comparable, V comparable](r *Result, table map[K]V, key K, searching, unknown V, compute func() V) V {
	if v, ok := table[key]; ok {
		if v == searching {
			return unknown
		}
		return v
	}
	if !r.step() {
		return unknown
	}
	table[key] = searching
	v := compute()
	table[key] = v
	return v
}
