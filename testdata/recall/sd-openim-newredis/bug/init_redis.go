// Recall case sd-openim-newredis
// Source: github.com/openimsdk/open-im-server commit 9976c00f8e5619ece77d8148baca06e72c91083a (pkg/common/db/cache/init_redis.go)
// Link: https://github.com/openimsdk/open-im-server/commit/9976c00f8e5619ece77d8148baca06e72c91083a
// Bug: NewRedis takes the caller's ctx but pings Redis under a fresh context.WithTimeout(context.Background(), 10s) that shadows it, so the caller's cancellation and deadline are ignored during startup.
// Fix: the ping timeout is derived from the caller's ctx: context.WithTimeout(ctx, time.Second*10).
// Rule: sharedeadline
package cache

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"strings"
	"time"
)

var (
	// Singleton pattern.
	redisClient UniversalClient
)

const (
	maxRetry = 10 // number of retries
)

// NewRedis Initialize redis connection.
func NewRedis(ctx context.Context, redisConf *RedisConfig) (UniversalClient, error) {
	if redisClient != nil {
		return redisClient, nil
	}

	// Read configuration from environment variables
	overrideConfigFromEnv(redisConf)

	if len(redisConf.Address) == 0 {
		return nil, errors.New("redis address is empty")
	}
	var rdb UniversalClient
	if len(redisConf.Address) > 1 || redisConf.ClusterMode {
		rdb = NewClusterClient(&ClusterOptions{
			Addrs:      redisConf.Address,
			Username:   redisConf.Username,
			Password:   redisConf.Password, // no password set
			PoolSize:   50,
			MaxRetries: maxRetry,
		})
	} else {
		rdb = NewClient(&Options{
			Addr:       redisConf.Address[0],
			Username:   redisConf.Username,
			Password:   redisConf.Password,
			DB:         0,   // use default DB
			PoolSize:   100, // connection pool size
			MaxRetries: maxRetry,
		})
	}

	var err error
	ctx, cancel := context.WithTimeout(context.Background(), time.Second*10)
	defer cancel()
	err = rdb.Ping(ctx)
	if err != nil {
		errMsg := fmt.Sprintf("address:%s, username:%s, clusterMode:%t, enablePipeline:%t", redisConf.Address, redisConf.Username,
			redisConf.ClusterMode, redisConf.EnablePipeline)
		return nil, fmt.Errorf("%s: %w", errMsg, err)
	}
	redisClient = rdb
	log.Printf("redis connected successfully address=%v username=%s clusterMode=%t", redisConf.Address, redisConf.Username, redisConf.ClusterMode)
	return rdb, err
}

// overrideConfigFromEnv overrides configuration fields with environment variables if present.
func overrideConfigFromEnv(redis *RedisConfig) {
	if envAddr := os.Getenv("REDIS_ADDRESS"); envAddr != "" {
		if envPort := os.Getenv("REDIS_PORT"); envPort != "" {
			addresses := strings.Split(envAddr, ",")
			for i, addr := range addresses {
				addresses[i] = addr + ":" + envPort
			}
			redis.Address = addresses
		} else {
			redis.Address = strings.Split(envAddr, ",")
		}
	}

	if envUser := os.Getenv("REDIS_USERNAME"); envUser != "" {
		redis.Username = envUser
	}

	if envPass := os.Getenv("REDIS_PASSWORD"); envPass != "" {
		redis.Password = envPass
	}
}
