// Recall case sc-restic-savetree
// Source: github.com/restic/restic commit fc60b560ba3694d47f21a8bf690eb415e8122847 (internal/archiver/archiver.go)
// Link: https://github.com/restic/restic/pull/3164
// Bug: when the backup context is cancelled while a tree blob is being saved, FutureBlob.Wait returns silently on ctx.Done() and saveTree returns the (zero/invalid) res.ID() with a nil error, so the cancellation is turned into a "successful" tree save and a snapshot can reference a tree that was never stored.
// Fix: after res.Wait(ctx), saveTree checks ctx.Err() and returns it as an error (with an empty ID) if the context was cancelled in the meantime.
// Rule: swallowcancel
package archiver

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// ---- restic package stand-ins ----

// ID references content within a repository.
type ID [32]byte

// Hash returns the ID for data.
func Hash(data []byte) ID { return sha256.Sum256(data) }

func (id ID) String() string { return hex.EncodeToString(id[:]) }

// IsNull returns true iff id only consists of null bytes.
func (id ID) IsNull() bool { var nullID ID; return id == nullID }

// BlobType specifies the blob type.
type BlobType uint8

const (
	DataBlob BlobType = iota + 1
	TreeBlob
)

// Node is a file, directory or other item in a backup.
type Node struct {
	Name    string `json:"name"`
	Type    string `json:"type"`
	Subtree *ID    `json:"subtree,omitempty"`
}

// Tree is an ordered list of nodes.
type Tree struct {
	Nodes []*Node `json:"nodes"`
}

// Snapshot is the state of a resource at one point in time.
type Snapshot struct {
	Time  time.Time `json:"time"`
	Tree  *ID       `json:"tree"`
	Paths []string  `json:"paths"`
}

// ---- tomb.v2 stand-in ----

// Tomb tracks the lifecycle of goroutines (gopkg.in/tomb.v2 subset).
type Tomb struct {
	mu     sync.Mutex
	wg     sync.WaitGroup
	ctx    context.Context
	cancel context.CancelFunc
	reason error
}

func (t *Tomb) init(parent context.Context) {
	if t.ctx == nil {
		t.ctx, t.cancel = context.WithCancel(parent)
	}
}

// Context returns a context that is cancelled when the tomb is killed.
func (t *Tomb) Context(parent context.Context) context.Context {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.init(parent)
	return t.ctx
}

// Go runs f in a new goroutine tracked by the tomb.
func (t *Tomb) Go(f func() error) {
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		if err := f(); err != nil {
			t.Kill(err)
		}
	}()
}

// Kill puts the tomb in a dying state.
func (t *Tomb) Kill(reason error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.init(context.Background())
	if t.reason == nil {
		t.reason = reason
	}
	t.cancel()
}

// Wait blocks until all goroutines have finished.
func (t *Tomb) Wait() error {
	t.wg.Wait()
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.reason
}

// ---- repository stand-in (REST backend) ----

// RESTRepository stores blobs via the restic REST server protocol.
type RESTRepository struct {
	URL    string
	Client *http.Client

	mu    sync.Mutex
	known map[ID]struct{}
}

// SaveBlob stores a blob in the repository.
func (r *RESTRepository) SaveBlob(ctx context.Context, t BlobType, data []byte, id ID, storeDuplicate bool) (ID, bool, error) {
	if id.IsNull() {
		id = Hash(data)
	}
	r.mu.Lock()
	_, known := r.known[id]
	r.mu.Unlock()
	if known && !storeDuplicate {
		return id, true, nil
	}

	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.URL+"/data/"+id.String(), bytes.NewReader(data))
	if err != nil {
		return ID{}, false, err
	}
	resp, err := r.Client.Do(req)
	if err != nil {
		return ID{}, false, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return ID{}, false, fmt.Errorf("unexpected HTTP response (%v): %v", resp.StatusCode, resp.Status)
	}

	r.mu.Lock()
	if r.known == nil {
		r.known = make(map[ID]struct{})
	}
	r.known[id] = struct{}{}
	r.mu.Unlock()
	return id, false, nil
}

// SaveJSONUnpacked serialises item and stores it as an unpacked file.
func (r *RESTRepository) SaveJSONUnpacked(ctx context.Context, t string, item interface{}) (ID, error) {
	buf, err := json.Marshal(item)
	if err != nil {
		return ID{}, err
	}
	id := Hash(buf)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.URL+"/"+t+"/"+id.String(), bytes.NewReader(buf))
	if err != nil {
		return ID{}, err
	}
	resp, err := r.Client.Do(req)
	if err != nil {
		return ID{}, err
	}
	resp.Body.Close()
	return id, nil
}

// ---- internal/archiver/buffer.go ----

// Buffer is a reusable buffer. After the buffer has been used, Release should
// be called so the underlying slice is put back into the pool.
type Buffer struct {
	Data []byte
	Put  func(*Buffer)
}

// Release puts the buffer back into the pool it came from.
func (b *Buffer) Release() {
	if b.Put != nil {
		b.Put(b)
	}
}

// ---- internal/archiver/blob_saver.go ----

// Saver allows saving a blob.
type Saver interface {
	SaveBlob(ctx context.Context, t BlobType, data []byte, id ID, storeDuplicate bool) (ID, bool, error)
}

// BlobSaver concurrently saves incoming blobs to the repo.
type BlobSaver struct {
	repo Saver
	ch   chan<- saveBlobJob
}

// NewBlobSaver returns a new blob. A worker pool is started, it is stopped
// when ctx is cancelled.
func NewBlobSaver(ctx context.Context, t *Tomb, repo Saver, workers uint) *BlobSaver {
	ch := make(chan saveBlobJob)
	s := &BlobSaver{
		repo: repo,
		ch:   ch,
	}

	for i := uint(0); i < workers; i++ {
		t.Go(func() error {
			return s.worker(t.Context(ctx), ch)
		})
	}

	return s
}

// Save stores a blob in the repo. It checks the index and the known blobs
// before saving anything. It takes ownership of the buffer passed in.
func (s *BlobSaver) Save(ctx context.Context, t BlobType, buf *Buffer) FutureBlob {
	ch := make(chan saveBlobResponse, 1)
	select {
	case s.ch <- saveBlobJob{BlobType: t, buf: buf, ch: ch}:
	case <-ctx.Done():
		close(ch)
		return FutureBlob{ch: ch}
	}

	return FutureBlob{ch: ch, length: len(buf.Data)}
}

// FutureBlob is returned by SaveBlob and will return the data once it has been processed.
type FutureBlob struct {
	ch     <-chan saveBlobResponse
	length int
	res    saveBlobResponse
}

// Wait blocks until the result is available or the context is cancelled.
func (s *FutureBlob) Wait(ctx context.Context) {
	select {
	case <-ctx.Done():
		return
	case res, ok := <-s.ch:
		if ok {
			s.res = res
		}
	}
}

// ID returns the ID of the blob after it has been saved.
func (s *FutureBlob) ID() ID {
	return s.res.id
}

// Known returns whether or not the blob was already known.
func (s *FutureBlob) Known() bool {
	return s.res.known
}

// Length returns the length of the blob.
func (s *FutureBlob) Length() int {
	return s.length
}

type saveBlobJob struct {
	BlobType
	buf *Buffer
	ch  chan<- saveBlobResponse
}

type saveBlobResponse struct {
	id    ID
	known bool
}

func (s *BlobSaver) saveBlob(ctx context.Context, t BlobType, buf []byte) (saveBlobResponse, error) {
	id, known, err := s.repo.SaveBlob(ctx, t, buf, ID{}, false)

	if err != nil {
		return saveBlobResponse{}, err
	}

	return saveBlobResponse{
		id:    id,
		known: known,
	}, nil
}

func (s *BlobSaver) worker(ctx context.Context, jobs <-chan saveBlobJob) error {
	for {
		var job saveBlobJob
		select {
		case <-ctx.Done():
			return nil
		case job = <-jobs:
		}

		res, err := s.saveBlob(ctx, job.BlobType, job.buf.Data)
		if err != nil {
			close(job.ch)
			return err
		}
		job.ch <- res
		close(job.ch)
		job.buf.Release()
	}
}

// ---- internal/archiver/archiver.go ----

// ItemStats collects some statistics about a particular file or directory.
type ItemStats struct {
	DataBlobs int    // number of new data blobs added for this item
	DataSize  uint64 // sum of the sizes of all new data blobs
	TreeBlobs int    // number of new tree blobs added for this item
	TreeSize  uint64 // sum of the sizes of all new tree blobs
}

// Archiver saves a directory structure to the repo.
type Archiver struct {
	Repo      *RESTRepository
	blobSaver *BlobSaver

	SaveBlobConcurrency uint
}

// New initializes a new archiver.
func New(repo *RESTRepository) *Archiver {
	return &Archiver{Repo: repo, SaveBlobConcurrency: 2}
}

// saveTree stores a tree in the repo. It checks the index and the known blobs
// before saving anything.
func (arch *Archiver) saveTree(ctx context.Context, t *Tree) (ID, ItemStats, error) {
	var s ItemStats
	buf, err := json.Marshal(t)
	if err != nil {
		return ID{}, s, fmt.Errorf("MarshalJSON: %w", err)
	}

	// append a newline so that the data is always consistent (json.Encoder
	// adds a newline after each object)
	buf = append(buf, '\n')

	b := &Buffer{Data: buf}
	res := arch.blobSaver.Save(ctx, TreeBlob, b)

	res.Wait(ctx)
	if !res.Known() {
		s.TreeBlobs++
		s.TreeSize += uint64(len(buf))
	}
	return res.ID(), s, nil
}

// runWorkers starts the worker pools, which are stopped when the context is cancelled.
func (arch *Archiver) runWorkers(ctx context.Context, t *Tomb) {
	arch.blobSaver = NewBlobSaver(ctx, t, arch.Repo, arch.SaveBlobConcurrency)
}

// Snapshot saves the tree and returns a snapshot.
func (arch *Archiver) Snapshot(ctx context.Context, targets []string, tree *Tree) (*Snapshot, ID, error) {
	var t Tomb
	wctx := t.Context(ctx)

	arch.runWorkers(wctx, &t)

	rootTreeID, _, err := func() (ID, ItemStats, error) {
		if len(tree.Nodes) == 0 {
			return ID{}, ItemStats{}, errors.New("snapshot is empty")
		}
		return arch.saveTree(wctx, tree)
	}()

	t.Kill(nil)
	werr := t.Wait()
	// Use werr when it might contain a more specific error than "context canceled"
	if err == nil || (errors.Is(err, context.Canceled) && werr != nil) {
		err = werr
	}
	if err != nil {
		return nil, ID{}, err
	}

	sn := &Snapshot{Time: time.Now(), Paths: targets}
	sn.Tree = &rootTreeID

	id, err := arch.Repo.SaveJSONUnpacked(ctx, "snapshots", sn)
	if err != nil {
		return nil, ID{}, err
	}
	return sn, id, nil
}
