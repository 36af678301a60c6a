// Recall case sc-oxia-leaderread
// Source: github.com/oxia-db/oxia commit f5eca5119806fab35e162caefdf4c3365ca7babc (server/leader_controller.go)
// Link: https://github.com/oxia-db/oxia/commit/f5eca5119806fab35e162caefdf4c3365ca7babc
// Bug: in leaderController.Read the read goroutine stops the loop when ctx.Err() != nil but then calls cb.OnComplete(nil), so a cancelled/timed-out read is reported to the stream as a successful completion.
// Fix: the loop keeps the error (err = ctx.Err()) and completes the stream with cb.OnComplete(err).
// Rule: swallowcancel
package server

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
)

type leaderController struct {
	sync.RWMutex

	shardId int64
	status  ServingStatus
	db      DB
	log     *slog.Logger
}

func (lc *leaderController) Read(ctx context.Context, request *ReadRequest, cb StreamCallback[*GetResponse]) {
	lc.RLock()
	err := checkStatusIsLeader(lc.status)
	lc.RUnlock()
	if err != nil {
		cb.OnComplete(err)
		return
	}
	go DoWithLabels(
		ctx,
		map[string]string{
			"oxia":  "read",
			"shard": fmt.Sprintf("%d", lc.shardId),
		},
		func() {
			lc.log.Debug("Received read request")
			var response *GetResponse
			var err error

			for _, get := range request.Gets {
				if get.SecondaryIndexName != nil {
					response, err = secondaryIndexGet(get, lc.db)
				} else {
					response, err = lc.db.Get(get)
				}
				if err != nil {
					break
				}
				if err = cb.OnNext(response); err != nil {
					break
				}
				if err = ctx.Err(); err != nil {
					break
				}
			}
			cb.OnComplete(err)
		},
	)
}
