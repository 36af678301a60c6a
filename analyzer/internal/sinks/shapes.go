package sinks

import (
	"go/types"
	"strings"
)

// A shape matches the methods of a library by signature instead of by name:
// every exported method in the package whose first parameter is a
// context.Context (and, where set, whose last parameter is the library's
// call-option type) waits on the network. Names listed in skip are cleanup
// calls judged by other rules.
type shape struct {
	pkg     string // import path; a trailing "/" matches every package below it
	methods bool   // methods only (package functions are constructors or helpers)
	// lastParam, if set, must name the element type of the final variadic
	// parameter: "google.golang.org/grpc.CallOption".
	lastParam string
	skip      map[string]bool
	kind      Kind
}

var closeLike = map[string]bool{"Close": true, "Disconnect": true, "Release": true, "Shutdown": true}

var builtinShapes = []shape{
	// Generated gRPC clients: func (c *fooClient) Bar(ctx, in, opts ...grpc.CallOption).
	{pkg: "", methods: true, lastParam: "google.golang.org/grpc.CallOption", kind: RPC},
	// AWS SDK v2 service clients: func (c *Client) GetObject(ctx, in, optFns ...func(*Options)).
	{pkg: "github.com/aws/aws-sdk-go-v2/service/", methods: true, lastParam: "func(*Options)", kind: RPC},
	{pkg: "github.com/jackc/pgx/v5", methods: true, skip: closeLike, kind: SQL},
	{pkg: "github.com/jackc/pgx/v5/pgxpool", methods: true, skip: closeLike, kind: SQL},
	{pkg: "github.com/jackc/pgx/v5/pgconn", methods: true, skip: closeLike, kind: SQL},
	{pkg: "github.com/jackc/pgx/v4", methods: true, skip: closeLike, kind: SQL},
	{pkg: "github.com/jackc/pgx/v4/pgxpool", methods: true, skip: closeLike, kind: SQL},
	{pkg: "github.com/redis/go-redis/v9", methods: true, skip: closeLike, kind: KV},
	{pkg: "go.mongodb.org/mongo-driver/mongo", methods: true, skip: closeLike, kind: KV},
	{pkg: "go.mongodb.org/mongo-driver/v2/mongo", methods: true, skip: closeLike, kind: KV},
	{pkg: "github.com/jmoiron/sqlx", methods: true, skip: closeLike, kind: SQL},
}

func (sh *shape) match(fn *types.Func) *Sink {
	if fn.Pkg() == nil || !fn.Exported() || sh.skip[fn.Name()] {
		return nil
	}
	path := fn.Pkg().Path()
	switch {
	case sh.pkg == "":
	case strings.HasSuffix(sh.pkg, "/"):
		if !strings.HasPrefix(path, sh.pkg) {
			return nil
		}
	case path != sh.pkg:
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
	if sh.lastParam != "" {
		if !sig.Variadic() || params.Len() < 2 {
			return nil
		}
		elem := params.At(params.Len() - 1).Type().(*types.Slice).Elem()
		if !typeIs(elem, sh.lastParam) {
			return nil
		}
	}
	return &Sink{Func: fn.FullName(), Kind: sh.kind, Context: 0, Request: -1}
}

// typeIs reports whether t is the named type "pkgpath.Name", or, for the
// special form "func(*Options)", a function taking a pointer to a type named
// Options in fn's package family.
func typeIs(t types.Type, want string) bool {
	if want == "func(*Options)" {
		sig, ok := t.Underlying().(*types.Signature)
		if !ok || sig.Params().Len() != 1 {
			return false
		}
		ptr, ok := sig.Params().At(0).Type().(*types.Pointer)
		if !ok {
			return false
		}
		named, ok := ptr.Elem().(*types.Named)
		return ok && named.Obj().Name() == "Options"
	}
	named, ok := types.Unalias(t).(*types.Named)
	if !ok || named.Obj().Pkg() == nil {
		return false
	}
	return named.Obj().Pkg().Path()+"."+named.Obj().Name() == want
}

// IsContext reports whether t is context.Context.
func IsContext(t types.Type) bool {
	named, ok := types.Unalias(t).(*types.Named)
	if !ok {
		return false
	}
	obj := named.Obj()
	return obj.Pkg() != nil && obj.Pkg().Path() == "context" && obj.Name() == "Context"
}
