package libs

import (
	"context"
	"time"

	"example.com/pb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	pgxv4 "github.com/jackc/pgx/v4"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jmoiron/sqlx"
	"github.com/redis/go-redis/v9"
	"go.mongodb.org/mongo-driver/mongo"
	"google.golang.org/grpc"
)

func pgxPool(p *pgxpool.Pool) {
	p.Query(context.Background(), "SELECT 1") // want `context.Background\(\) reaches \(\*pgxpool.Pool\).Query: the query has no deadline`
}

func pgxConn(c *pgx.Conn) {
	c.Exec(context.TODO(), "SELECT 1") // want `context.TODO\(\) reaches \(\*pgx.Conn\).Exec`
}

func pgxTx(tx pgx.Tx) {
	tx.Query(context.Background(), "SELECT 1") // want `context.Background\(\) reaches pgx.Tx.Query`
}

func pgx4(c *pgxv4.Conn) {
	c.Exec(context.Background(), "SELECT 1") // want `reaches \(\*pgx.Conn\).Exec`
}

// go-redis bounds every command by default (ReadTimeout/WriteTimeout,
// DialTimeout) and by default ignores the context's deadline: a command
// given Background is no unbounded wait.
func redisGet(c *redis.Client) {
	c.Get(context.Background(), "k")
}

func redisCmdable(c redis.Cmdable) {
	c.Get(context.Background(), "k")
}

func mongoFind(c *mongo.Collection) {
	c.FindOne(context.Background(), nil) // want `reaches \(\*mongo.Collection\).FindOne`
}

func sqlxGet(db *sqlx.DB, dst any) {
	db.Get(dst, "SELECT 1")                              // want `\(\*sqlx.DB\).Get has no context, so the query cannot time out or be cancelled: use GetContext\(ctx, …\)`
	db.GetContext(context.Background(), dst, "SELECT 1") // want `reaches \(\*sqlx.DB\).GetContext`
	db.Ping()                                            // want `\(\*sql.DB\).Ping has no context`
}

func grpcInvoke(cc *grpc.ClientConn) {
	cc.Invoke(context.Background(), "/svc/M", nil, nil) // want `reaches \(\*grpc.ClientConn\).Invoke: the call has no deadline`
}

func grpcGenerated(c pb.GreeterClient) {
	c.SayHello(context.Background(), &pb.HelloRequest{}) // want `reaches pb.GreeterClient.SayHello: the call has no deadline`
}

func awsGet(c *s3.Client) {
	c.GetObject(context.Background(), &s3.GetObjectInput{}) // want `reaches \(\*s3.Client\).GetObject`
}

// --- exemptions ---

func bounded(p *pgxpool.Pool, c *redis.Client, g pb.GreeterClient) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	p.Query(ctx, "SELECT 1")
	c.Get(ctx, "k")
	g.SayHello(ctx, &pb.HelloRequest{})
}

func cleanup(conn *pgx.Conn, m *mongo.Client, p *pgxpool.Pool) {
	conn.Close(context.Background()) // Close, Disconnect: judged by cleanup rules, not here
	m.Disconnect(context.Background())
	p.Close()
}

func inherited(ctx context.Context, p *pgxpool.Pool) {
	p.Exec(ctx, "SELECT 1")
}

// A LISTEN loop blocks until a notification arrives, by design: a deadline
// would only turn it into a timeout-and-retry loop. Any other query on the
// same connection still needs one.
func listen(c *pgx.Conn) error {
	if _, err := c.Exec(context.Background(), "LISTEN chat"); err != nil { // want `context.Background\(\) reaches \(\*pgx.Conn\).Exec`
		return err
	}
	for {
		n, err := c.WaitForNotification(context.Background())
		if err != nil {
			return err
		}
		_ = n
	}
}

func waitVia(c *pgx.Conn) error {
	return waitOne(context.Background(), c) // no deadline asked through a helper either
}

func waitOne(ctx context.Context, c *pgx.Conn) error {
	_, err := c.WaitForNotification(ctx)
	return err
}

// A named statement's context-free forms, next to their Context twins.
func sqlxNamed(ctx context.Context, n *sqlx.NamedStmt, arg any) {
	n.Exec(arg) // want `\(\*sqlx.NamedStmt\).Exec has no context, so the query cannot time out or be cancelled: use ExecContext\(ctx, …\)`
	n.ExecContext(ctx, arg)
}
