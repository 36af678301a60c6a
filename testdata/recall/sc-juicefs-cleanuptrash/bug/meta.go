// Recall case sc-juicefs-cleanuptrash
// Source: github.com/juicedata/juicefs commit 17975a273a3a4c373e426b4ab5b6d0bbc844dfd0 (pkg/meta/base.go, pkg/meta/utils.go)
// Link: https://github.com/juicedata/juicefs/commit/17975a273a3a4c373e426b4ab5b6d0bbc844dfd0
// Bug: when the 50-minute cleanup context expires, errno() turns context.DeadlineExceeded into a logged EIO and CleanupTrashBefore logs it and `continue`s past its ctx.Canceled() check, retrying Remove for every remaining trash entry.
// Fix: check ctx.Canceled() right after m.Remove (before the error branch) and map context.DeadlineExceeded to ETIMEDOUT in errno().
// Rule: swallowcancel
package meta

import (
	"context"
	"database/sql"
	"log"
	"runtime/debug"
	"sort"
	"strings"
	"syscall"
	"time"
)

// Ino is an inode number.
type Ino uint64

// TrashInode is the inode of the trash directory.
const TrashInode Ino = 0x7FFFFFFF10000000

// Entry is an entry inside a directory.
type Entry struct {
	Inode Ino
	Name  []byte
}

// Context is the meta context (reduced).
type Context interface {
	context.Context
	Cancel()
	Canceled() bool
}

type wrapContext struct {
	context.Context
	cancel func()
}

func (c *wrapContext) Cancel() {
	if c.cancel != nil {
		c.cancel()
	}
}

func (c *wrapContext) Canceled() bool {
	return c.Err() != nil
}

// WrapWithTimeout derives a meta Context with a timeout.
func WrapWithTimeout(ctx Context, timeout time.Duration) Context {
	c, cancel := context.WithTimeout(ctx, timeout)
	return &wrapContext{c, cancel}
}

// WrapContext wraps a context.Context.
func WrapContext(ctx context.Context) Context {
	c, cancel := context.WithCancel(ctx)
	return &wrapContext{c, cancel}
}

// CleanupTrashStats counts what was removed.
type CleanupTrashStats struct {
	DeletedFiles int64
}

type metaConfig struct {
	MaxDeletes int
	TrashDays  int
}

// engine is the SQL metadata engine (reduced dbMeta).
type engine struct {
	db *sql.DB
}

func (en *engine) doReaddir(ctx Context, inode Ino, limit int, entries *[]*Entry) syscall.Errno {
	rows, err := en.db.QueryContext(ctx, "SELECT inode, name FROM jfs_edge WHERE parent = ? LIMIT ?", inode, limit)
	if err != nil {
		return errno(err)
	}
	defer rows.Close()
	for rows.Next() {
		e := &Entry{}
		if err := rows.Scan(&e.Inode, &e.Name); err != nil {
			return errno(err)
		}
		*entries = append(*entries, e)
	}
	return errno(rows.Err())
}

func (en *engine) txn(ctx Context, f func(tx *sql.Tx) error) syscall.Errno {
	tx, err := en.db.BeginTx(ctx, nil)
	if err != nil {
		return errno(err)
	}
	if err = f(tx); err != nil {
		_ = tx.Rollback()
		return errno(err)
	}
	return errno(tx.Commit())
}

func (en *engine) doUnlink(ctx Context, parent Ino, name string) syscall.Errno {
	return en.txn(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "DELETE FROM jfs_edge WHERE parent = ? AND name = ?", parent, name)
		return err
	})
}

func (en *engine) doRmdir(ctx Context, parent Ino, name string) syscall.Errno {
	return en.txn(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "DELETE FROM jfs_edge WHERE parent = ? AND name = ?", parent, name)
		return err
	})
}

type baseMeta struct {
	en   *engine
	conf metaConfig
}

func errno(err error) syscall.Errno {
	if err == nil {
		return 0
	}
	if err == context.Canceled {
		return syscall.EINTR
	}
	if eno, ok := err.(syscall.Errno); ok {
		return eno
	}
	if err == sql.ErrNoRows {
		return syscall.ENOENT
	}
	if strings.HasPrefix(err.Error(), "OOM") {
		return syscall.ENOSPC
	}
	log.Printf("error: %s\n%s", err, debug.Stack())
	return syscall.EIO
}

// Remove removes an entry (reduced: files only).
func (m *baseMeta) Remove(ctx Context, parent Ino, name string, skipTrash bool, numThreads int, count *uint64) syscall.Errno {
	if count != nil {
		*count++
	}
	return m.en.doUnlink(ctx, parent, name)
}

func (m *baseMeta) cleanupTrash(ctx Context) {
	var cCtx Context
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Hour):
		}
		if cCtx != nil {
			cCtx.Cancel()
		}
		cCtx = WrapWithTimeout(ctx, 50*time.Minute)
		stats := &CleanupTrashStats{}
		m.doCleanupTrash(cCtx, m.conf.TrashDays, false, stats)
	}
}

func (m *baseMeta) doCleanupTrash(ctx Context, days int, force bool, stats *CleanupTrashStats) {
	edge := time.Now().Add(-time.Duration(24*days+2) * time.Hour)
	if force {
		edge = time.Now()
	}
	m.CleanupTrashBefore(ctx, edge, nil, stats)
}

func (m *baseMeta) CleanupTrashBefore(ctx Context, edge time.Time, increProgress func(int), stats *CleanupTrashStats) {
	now := time.Now()
	var st syscall.Errno
	var entries []*Entry
	if st = m.en.doReaddir(ctx, TrashInode, -1, &entries); st != 0 {
		log.Printf("readdir trash %d: %s", TrashInode, st)
		return
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Inode < entries[j].Inode })
	var count int
	defer func() {
		if count > 0 {
			log.Printf("cleanup trash: deleted %d files in %v", count, time.Since(now))
			if stats != nil {
				stats.DeletedFiles += int64(count)
			}
		}
	}()
	batch := 1000000
	for len(entries) > 0 {
		if ctx.Canceled() {
			return
		}
		e := entries[0]
		ts, err := time.Parse("2006-01-02-15", string(e.Name))
		if err != nil {
			log.Printf("bad entry as a subTrash: %s", e.Name)
			entries = entries[1:]
			continue
		}
		if ts.Before(edge) {
			var subEntries []*Entry
			if st = m.en.doReaddir(ctx, e.Inode, batch, &subEntries); st != 0 {
				log.Printf("readdir subTrash %d: %s", e.Inode, st)
				entries = entries[1:]
				continue
			}
			rmdir := len(subEntries) < batch
			if rmdir {
				entries = entries[1:]
			}
			for _, se := range subEntries {
				var c uint64
				st = m.Remove(ctx, e.Inode, string(se.Name), false, m.conf.MaxDeletes, &c)
				if st == 0 {
					count += int(c)
					if increProgress != nil {
						increProgress(int(c))
					}
				} else {
					log.Printf("delete from trash %s/%s: %s", e.Name, se.Name, st)
					rmdir = false
					continue
				}
				if ctx.Canceled() {
					return
				}
			}
			if rmdir {
				if st = m.en.doRmdir(ctx, TrashInode, string(e.Name)); st != 0 {
					log.Printf("rmdir subTrash %s: %s", e.Name, st)
				}
			}
		} else {
			break
		}
	}
}
