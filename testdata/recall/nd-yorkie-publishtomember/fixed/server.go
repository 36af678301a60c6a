// Recall case nd-yorkie-publishtomember
// Source: github.com/yorkie-team/yorkie commit 28cc71bdda014bf74dc967cc914130eff00a86c5 (yorkie/backend/sync/etcd/pubsub.go, yorkie/rpc/server.go)
// Link: https://github.com/yorkie-team/yorkie/commit/28cc71bdda014bf74dc967cc914130eff00a86c5
// Bug: Client.Publish broadcasts the event to every cluster member with publishToMember(context.Background(), ...), so the BroadcastEvent RPC has no deadline and ignores the watching stream's cancellation.
// Fix: Publish (and the Coordinator interface) take a ctx, watchDocs passes stream.Context(), and publishToMember uses that ctx.
// Rule: nodeadline
package etcd

import (
	"context"
	"log"
)

// Coordinator is the sync.Coordinator interface the RPC server talks to.
type Coordinator interface {
	Publish(ctx context.Context, publisherID string, event DocEvent)
}

// WatchStream is a stand-in for api.Yorkie_WatchDocumentsServer.
type WatchStream interface {
	Context() context.Context
	Send(event DocEvent) error
}

// Server is the RPC server.
type Server struct {
	coordinator Coordinator
}

// WatchDocuments connects the stream to deliver events from the given documents
// to the requesting client.
func (s *Server) WatchDocuments(
	clientID string,
	docKeys []string,
	stream WatchStream,
) error {
	if err := s.watchDocs(
		stream.Context(),
		clientID,
		docKeys,
	); err != nil {
		log.Print(err)
		return err
	}

	<-stream.Context().Done()
	return nil
}

func (s *Server) watchDocs(
	ctx context.Context,
	clientID string,
	docKeys []string,
) error {
	s.coordinator.Publish(
		ctx,
		clientID,
		DocEvent{
			Type:         "documents-watched",
			Publisher:    clientID,
			DocumentKeys: docKeys,
		},
	)

	return nil
}
