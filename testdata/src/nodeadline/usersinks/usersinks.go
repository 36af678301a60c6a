package usersinks

import (
	"context"

	"example.com/kv"
)

func use(c *kv.Client) {
	c.Fetch(context.Background(), "k") // want `context.Background\(\) reaches \(\*kv.Client\).Fetch`
	c.FetchNow("k")                    // want `\(\*kv.Client\).FetchNow has no context`
	kv.Ping(context.TODO(), "addr")    // want `context.TODO\(\) reaches kv.Ping`
}
