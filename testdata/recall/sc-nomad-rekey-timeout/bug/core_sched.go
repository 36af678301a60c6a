// Recall case sc-nomad-rekey-timeout
// Source: github.com/hashicorp/nomad commit f5fa6a50a44c3e53831157172f85a819ff3f5336 (nomad/core_sched.go)
// Link: https://github.com/hashicorp/nomad/commit/f5fa6a50a44c3e53831157172f85a819ff3f5336
// Bug: CoreScheduler.rotateVariables turns its context.DeadlineExceeded into the (nil) result of the Eval.Create RPC, so variablesRekey marks the key inactive although the rekey did not finish
// Fix: rotateVariables returns ctx.Err() after creating the follow-up eval; variablesRekey checks errors.Is(err, context.DeadlineExceeded) and skips marking the key inactive
// Rule: swallowcancel
package rekey

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
)

type Evaluation struct {
	ID           string
	Namespace    string
	Priority     int
	Type         string
	TriggeredBy  string
	JobID        string
	Status       string
	LeaderACL    string
	PreviousEval string
}

type WriteRequest struct {
	Region    string
	AuthToken string
}

type EvalUpdateRequest struct {
	Evals     []*Evaluation
	EvalToken string
	WriteRequest
}

type GenericResponse struct{ Index uint64 }

type RootKey struct {
	KeyID    string
	State    string
	Rekeying bool
}

func (k *RootKey) IsRekeying() bool { return k.Rekeying }

func (k *RootKey) MakeInactive() *RootKey {
	out := *k
	out.State = "inactive"
	out.Rekeying = false
	return &out
}

type KeyringUpdateRootKeyRequest struct {
	RootKey *RootKey
	WriteRequest
}

type KeyringUpdateRootKeyResponse struct{ Index uint64 }

type VariableMetadata struct {
	Namespace string
	Path      string
}

type VariableEncrypted struct {
	VariableMetadata
	Data  []byte
	KeyID string
}

type VariableDecrypted struct {
	VariableMetadata
	Items map[string]string
}

type VariablesApplyRequest struct {
	Op  string
	Var *VariableDecrypted
	WriteRequest
}

type VariablesApplyResponse struct {
	Conflict *VariableDecrypted
}

func (r *VariablesApplyResponse) IsConflict() bool { return r.Conflict != nil }

// ResultIterator is the go-memdb iterator interface.
type ResultIterator interface {
	Next() interface{}
}

// StateSnapshot is the subset of the state store used here.
type StateSnapshot interface {
	RootKeys() (ResultIterator, error)
	GetVariablesByKeyID(keyID string) (ResultIterator, error)
}

type CoreScheduler struct {
	srv    *Server
	snap   StateSnapshot
	logger *slog.Logger
}

// NewCoreScheduler is used to return a new system scheduler instance
func NewCoreScheduler(srv *Server, snap StateSnapshot, logger *slog.Logger) *CoreScheduler {
	return &CoreScheduler{srv: srv, snap: snap, logger: logger}
}

func (c *CoreScheduler) variablesRekey(eval *Evaluation) error {

	iter, err := c.snap.RootKeys()
	if err != nil {
		return err
	}

	for {
		raw := iter.Next()
		if raw == nil {
			break
		}
		wrappedKeys := raw.(*RootKey)
		if !wrappedKeys.IsRekeying() {
			continue
		}
		varIter, err := c.snap.GetVariablesByKeyID(wrappedKeys.KeyID)
		if err != nil {
			return err
		}
		err = c.rotateVariables(varIter, eval)
		if err != nil {
			return err
		}

		rootKey, err := c.srv.encrypter.GetKey(wrappedKeys.KeyID)
		if err != nil {
			return fmt.Errorf("rotated key does not exist in keyring: %w", err)
		}
		rootKey = rootKey.MakeInactive()

		req := &KeyringUpdateRootKeyRequest{
			RootKey: rootKey,
			WriteRequest: WriteRequest{
				Region:    c.srv.config.Region,
				AuthToken: eval.LeaderACL},
		}
		if err := c.srv.RPC("Keyring.Update",
			req, &KeyringUpdateRootKeyResponse{}); err != nil {
			c.logger.Error("rekey complete but failed to mark key as inactive", "error", err)
			return err
		}
	}

	return nil
}

// rotateVariables runs over an iterator of variables and decrypts them, and
// then sends them back to be re-encrypted with the currently active key,
// checking for conflicts
func (c *CoreScheduler) rotateVariables(iter ResultIterator, eval *Evaluation) error {

	args := &VariablesApplyRequest{
		Op: "cas",
		WriteRequest: WriteRequest{
			Region:    c.srv.config.Region,
			AuthToken: eval.LeaderACL,
		},
	}

	// Instead, we'll rate limit RPC requests and have a timeout. If we still
	// haven't finished the set by the timeout, emit a new eval.
	ctx, cancel := context.WithTimeout(context.Background(), c.srv.GetConfig().EvalNackTimeout/2)
	defer cancel()

	for {
		raw := iter.Next()
		if raw == nil {
			break
		}

		select {
		case <-ctx.Done():
			newEval := &Evaluation{
				ID:          eval.ID + "-rekey",
				Namespace:   "-",
				Priority:    200,
				Type:        "_core",
				TriggeredBy: "scheduled",
				JobID:       eval.JobID,
				Status:      "pending",
				LeaderACL:   eval.LeaderACL,
			}
			return c.srv.RPC("Eval.Create", &EvalUpdateRequest{
				Evals:     []*Evaluation{newEval},
				EvalToken: eval.ID + "-token",
				WriteRequest: WriteRequest{
					Region:    c.srv.config.Region,
					AuthToken: eval.LeaderACL,
				},
			}, &GenericResponse{})

		default:
		}

		ev := raw.(*VariableEncrypted)
		cleartext, err := c.srv.encrypter.Decrypt(ev.Data, ev.KeyID)
		if err != nil {
			return err
		}
		dv := &VariableDecrypted{
			VariableMetadata: ev.VariableMetadata,
		}
		dv.Items = make(map[string]string)
		err = json.Unmarshal(cleartext, &dv.Items)
		if err != nil {
			return err
		}
		args.Var = dv
		reply := &VariablesApplyResponse{}

		err = c.srv.RPC("Variables.Apply", args, reply)
		if err != nil {
			return err
		}
		if reply.IsConflict() {
			// we've already rotated the key by the time we took this
			// evaluation's snapshot, so any conflict is going to be on a write
			// made with the new key, so there's nothing for us to do here
			continue
		}
	}

	return nil
}
