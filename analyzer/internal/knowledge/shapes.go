package knowledge

import (
	"go/types"
	"strings"
)

// A shape matches the methods of a library by signature instead of by name:
// every exported method in the package whose first parameter is a
// context.Context (and, where set, whose last parameter is the library's
// call-option type) waits on the network. The library's cleanup methods
// (cleanup: knowledge of that API, by name within it) are not sinks but
// Cleanups.
type shape struct {
	pkg     string // import path; a trailing "/" matches every package below it
	methods bool   // methods only (package functions are constructors or helpers)
	// lastParam, if set, must hold for the element type of the final
	// variadic parameter (the library's call options), given the method.
	lastParam func(elem types.Type, fn *types.Func) bool
	cleanup   map[string]bool
	kind      Kind
	bound     Bound // what else bounds every call of the library (see Bound)
	// inert methods are neither sinks nor cleanups: what their context
	// can cut short does not matter (go-redis's Tx.Close releases the
	// connection whatever happens to its UNWATCH).
	inert map[string]bool
}

var closeLike = map[string]bool{"Close": true, "Disconnect": true, "Release": true, "Shutdown": true}

var builtinShapes = []shape{
	// Generated gRPC clients: func (c *fooClient) Bar(ctx, in, opts ...grpc.CallOption).
	{pkg: "", methods: true, lastParam: isGRPCCallOption, kind: RPC},
	// AWS SDK v2 service clients: func (c *Client) GetObject(ctx, in, optFns ...func(*Options)).
	{pkg: "github.com/aws/aws-sdk-go-v2/service/", methods: true, lastParam: isFunctionalOption, kind: RPC},
	{pkg: "github.com/jackc/pgx/v5", methods: true, cleanup: closeLike, kind: SQL},
	{pkg: "github.com/jackc/pgx/v5/pgxpool", methods: true, cleanup: closeLike, kind: SQL},
	{pkg: "github.com/jackc/pgx/v5/pgconn", methods: true, cleanup: closeLike, kind: SQL},
	{pkg: "github.com/jackc/pgx/v4", methods: true, cleanup: closeLike, kind: SQL},
	{pkg: "github.com/jackc/pgx/v4/pgxpool", methods: true, cleanup: closeLike, kind: SQL},
	// go-redis bounds every command itself: read and write deadlines on
	// the connection from Options.ReadTimeout/WriteTimeout (3 s by
	// default) and DialTimeout (5 s); by default it does not even use the
	// context's deadline (ContextTimeoutEnabled is false). Its Close
	// methods are no cleanup a done context can cut short.
	{pkg: "github.com/redis/go-redis/v9", methods: true, kind: KV, bound: BoundByLibraryDefaults, inert: closeLike},
	{pkg: "go.mongodb.org/mongo-driver/mongo", methods: true, cleanup: closeLike, kind: KV},
	{pkg: "go.mongodb.org/mongo-driver/v2/mongo", methods: true, cleanup: closeLike, kind: KV},
	{pkg: "github.com/jmoiron/sqlx", methods: true, cleanup: closeLike, kind: SQL},
}

// covers reports whether fn belongs to the shape's package family.
func (sh *shape) covers(fn *types.Func) bool {
	if fn.Pkg() == nil || !fn.Exported() {
		return false
	}
	path := fn.Pkg().Path()
	switch {
	case sh.pkg == "":
		return true
	case strings.HasSuffix(sh.pkg, "/"):
		return strings.HasPrefix(path, sh.pkg)
	}
	return path == sh.pkg
}

func (sh *shape) match(fn *types.Func) *Sink {
	if !sh.covers(fn) || sh.cleanup[fn.Name()] || sh.inert[fn.Name()] {
		return nil
	}
	sig := fn.Signature()
	if sh.methods && sig.Recv() == nil {
		return nil
	}
	params := sig.Params()
	if params.Len() == 0 || !IsContext(params.At(0).Type()) {
		return nil
	}
	if sh.lastParam != nil {
		if !sig.Variadic() || params.Len() < 2 {
			return nil
		}
		elem := params.At(params.Len() - 1).Type().(*types.Slice).Elem()
		if !sh.lastParam(elem, fn) {
			return nil
		}
	}
	return &Sink{Func: fn.FullName(), Kind: sh.kind, Context: At(0), Bound: sh.bound}
}

// isGRPCCallOption: the element is google.golang.org/grpc.CallOption.
func isGRPCCallOption(elem types.Type, _ *types.Func) bool {
	named, ok := types.Unalias(elem).(*types.Named)
	return ok && named.Obj().Pkg() != nil && named.Obj().Pkg().Path() == "google.golang.org/grpc" && named.Obj().Name() == "CallOption"
}

// isFunctionalOption: the element is func(*T) for a struct type T declared
// in the method's own package (the functional-options pattern of the AWS
// SDK v2 service clients: ...func(*Options)).
func isFunctionalOption(elem types.Type, fn *types.Func) bool {
	sig, ok := elem.Underlying().(*types.Signature)
	if !ok || sig.Params().Len() != 1 || sig.Results().Len() != 0 {
		return false
	}
	ptr, ok := sig.Params().At(0).Type().(*types.Pointer)
	if !ok {
		return false
	}
	named, ok := types.Unalias(ptr.Elem()).(*types.Named)
	if !ok || named.Obj().Pkg() != fn.Pkg() {
		return false
	}
	_, isStruct := named.Underlying().(*types.Struct)
	return isStruct
}
