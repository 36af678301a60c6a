package indirect

import (
	"context"

	"nodeadline/clientlib"
)

func fetchWithCtx(ctx context.Context, url string) error {
	_, err := clientlib.Default().Get(url) // want `\(\*http.Client\).Get cannot take ctx, so the request is not cancelled with the caller`
	return err
}
