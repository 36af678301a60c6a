// Recall case uw-gomysqlserver-sleep
// Source: github.com/src-d/go-mysql-server commit 4eaee9b7b39137dda4da427b23f60f98f5e580e8 (sql/expression/function/sleep.go)
// Link: https://github.com/src-d/go-mysql-server/commit/4eaee9b7b39137dda4da427b23f60f98f5e580e8
// Bug: the SQL SLEEP() function's Eval has a *sql.Context (carrying the query's cancellation) but calls time.Sleep for the full duration, so a killed/cancelled query keeps sleeping.
// Fix: wait on a time.NewTimer and ctx.Done() in a select, returning context.Canceled when the ctx is done.
// Rule: uncancellablewait
package function

import (
	"context"
	"fmt"
	"strconv"
	"time"
)

// Context is a stand-in for *sql.Context, which embeds the query's context.Context.
type Context struct {
	context.Context
}

// Expression is a stand-in for sql.Expression.
type Expression interface {
	Eval(ctx *Context, row []any) (any, error)
	String() string
}

// Sleep is a function that just waits for the specified number of seconds
// and returns 0.
// It can be useful to test timeouts or long queries.
type Sleep struct {
	Child Expression
}

// NewSleep creates a new Sleep expression.
func NewSleep(e Expression) Expression {
	return &Sleep{Child: e}
}

func toFloat64(v any) (float64, error) {
	switch x := v.(type) {
	case float64:
		return x, nil
	case int64:
		return float64(x), nil
	case string:
		return strconv.ParseFloat(x, 64)
	}
	return 0, fmt.Errorf("cannot convert %v to float64", v)
}

// String implements the Stringer interface.
func (s *Sleep) String() string {
	return fmt.Sprintf("SLEEP(%s)", s.Child)
}

// Eval implements the Expression interface.
func (s *Sleep) Eval(ctx *Context, row []any) (any, error) {
	child, err := s.Child.Eval(ctx, row)

	if err != nil {
		return nil, err
	}

	if child == nil {
		return nil, nil
	}

	f, err := toFloat64(child)
	if err != nil {
		return nil, err
	}

	time.Sleep(time.Duration(f*1000) * time.Millisecond)
	return 0, nil
}
