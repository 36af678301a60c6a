// Package broken does not type-check: drivers skip it, and the rule run
// anyway (as the test does) must not panic. The core builds no SSA form for
// a package with type errors, so the rule stays silent here.
package broken

import (
	"context"
	"errors"
	"fmt"
)

func undefinedCall(ctx context.Context) error {
	err := notDefined(ctx)
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return fmt.Errorf("x: %v", err)
}

func wrongTypes(ctx context.Context) error {
	var x int = "nope"
	if errors.Is(x, context.Canceled) {
		return nil
	}
	for {
		if err := missing.Call(ctx); err != nil {
			continue
		}
	}
}

func badSelect(ctx context.Context) (int, error) {
	select {
	case <-ctx.Dne():
		return 0, nil
	}
	<-ctx.Done
	return nil
}

func odd(ctx context.Context) error {
	switch err := ctx.Err(); {
	case errors.Is(err, context.DeadlineExceeded, 1):
		return nil
	}
	return &unknownType{}
}
