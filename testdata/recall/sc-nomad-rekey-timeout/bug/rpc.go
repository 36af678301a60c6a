// Recall case sc-nomad-rekey-timeout
// Source: github.com/hashicorp/nomad commit f5fa6a50a44c3e53831157172f85a819ff3f5336 (nomad/core_sched.go)
// Link: https://github.com/hashicorp/nomad/commit/f5fa6a50a44c3e53831157172f85a819ff3f5336
// Bug: CoreScheduler.rotateVariables turns its context.DeadlineExceeded into the (nil) result of the Eval.Create RPC, so variablesRekey marks the key inactive although the rekey did not finish
// Fix: rotateVariables returns ctx.Err() after creating the follow-up eval; variablesRekey checks errors.Is(err, context.DeadlineExceeded) and skips marking the key inactive
// Rule: swallowcancel
package rekey

import (
	"errors"
	"net/rpc"
	"reflect"
	"sync"
	"time"
)

// Server.RPC in Nomad serves a request in-process through a net/rpc server
// with an in-memory codec (nomad/server.go RPC + helper/codec.InmemCodec).
// This is the same shape with the standard library codec interface.

type Server struct {
	config    *Config
	encrypter *Encrypter
	rpcServer *rpc.Server
}

type Config struct {
	Region          string
	EvalNackTimeout time.Duration
}

func (s *Server) GetConfig() *Config { return s.config }

// RPC is used to make a local RPC call.
func (s *Server) RPC(method string, args interface{}, reply interface{}) error {
	codec := &inmemCodec{method: method, args: args, reply: reply}
	if err := s.rpcServer.ServeRequest(codec); err != nil {
		return err
	}
	return codec.err
}

type inmemCodec struct {
	mu     sync.Mutex
	method string
	args   interface{}
	reply  interface{}
	err    error
}

func (i *inmemCodec) ReadRequestHeader(req *rpc.Request) error {
	req.ServiceMethod = i.method
	return nil
}

func (i *inmemCodec) ReadRequestBody(args interface{}) error {
	if args == nil {
		return nil
	}
	src := reflect.Indirect(reflect.ValueOf(i.args))
	dst := reflect.Indirect(reflect.ValueOf(args))
	dst.Set(src)
	return nil
}

func (i *inmemCodec) WriteResponse(resp *rpc.Response, reply interface{}) error {
	i.mu.Lock()
	defer i.mu.Unlock()
	if resp.Error != "" {
		i.err = errors.New(resp.Error)
		return nil
	}
	src := reflect.Indirect(reflect.ValueOf(reply))
	dst := reflect.Indirect(reflect.ValueOf(i.reply))
	dst.Set(src)
	return nil
}

func (i *inmemCodec) Close() error { return nil }

// Encrypter decrypts variable payloads with the keyring.
type Encrypter struct {
	mu   sync.RWMutex
	keys map[string]*RootKey
}

func (e *Encrypter) Decrypt(ciphertext []byte, keyID string) ([]byte, error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if _, ok := e.keys[keyID]; !ok {
		return nil, errors.New("no such key")
	}
	out := make([]byte, len(ciphertext))
	copy(out, ciphertext)
	return out, nil
}

func (e *Encrypter) GetKey(keyID string) (*RootKey, error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	k, ok := e.keys[keyID]
	if !ok {
		return nil, errors.New("no such key")
	}
	return k, nil
}
