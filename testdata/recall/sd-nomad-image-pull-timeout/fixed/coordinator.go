// Recall case sd-nomad-image-pull-timeout
// Source: github.com/hashicorp/nomad commit 62ef621582d5e9d6da544d9baaadfb39b502fc07 (drivers/docker/coordinator.go)
// Link: https://github.com/hashicorp/nomad/commit/62ef621582d5e9d6da544d9baaadfb39b502fc07
// Bug: dockerCoordinator.pullImageImpl builds its image_pull_timeout budget with context.WithTimeout(context.Background(), pullTimeout) but calls ImagePull with the driver ctx d.ctx, so the pull timeout and the inactivity cancel never reach the Docker API call
// Fix: derive pullCtx from d.ctx with the pull timeout and pass pullCtx to ImagePull (and let PullImage stop waiting on the future when d.ctx is done)
// Rule: sharedeadline
package docker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"
)

// dockerTimeout is the length of time a request can be outstanding before
// it is timed out (drivers/docker/config.go).
const dockerTimeout = 5 * time.Minute

// pullFuture is a sharable future for retrieving a pulled images ID and user,
// and any error that may have occurred during the pull.
type pullFuture struct {
	waitCh chan struct{}

	err       error
	imageID   string
	imageUser string
}

// newPullFuture returns a new pull future
func newPullFuture() *pullFuture {
	return &pullFuture{
		waitCh: make(chan struct{}),
	}
}

// wait waits till the future has a result or the context is canceled
func (p *pullFuture) wait(ctx context.Context) *pullFuture {
	select {
	case <-ctx.Done():
		p.err = fmt.Errorf("wait aborted: %w", ctx.Err())
	case <-p.waitCh:
		// all good
	}
	return p
}

// result returns the results of the future and should only ever be called after
// wait returns.
func (p *pullFuture) result() (imageID, imageUser string, err error) {
	return p.imageID, p.imageUser, p.err
}

// set is used to set the results and unblock any waiter. This may only be
// called once.
func (p *pullFuture) set(imageID, imageUser string, err error) {
	p.imageID = imageID
	p.imageUser = imageUser
	p.err = err
	close(p.waitCh)
}

// DockerImageClient provides the methods required to do CRUD operations on the
// Docker images
type DockerImageClient interface {
	ImagePull(ctx context.Context, refStr string, opts PullOptions) (io.ReadCloser, error)
	ImageInspectWithRaw(ctx context.Context, id string) (ImageInspect, []byte, error)
}

type AuthConfig struct {
	Auth string
}

// dockerCoordinatorConfig is used to configure the Docker coordinator.
type dockerCoordinatorConfig struct {
	// ctx should be the driver context to handle shutdowns
	ctx context.Context

	// logger is the logger the coordinator should use
	logger *slog.Logger

	// client is the Docker client to use for communicating with Docker
	client DockerImageClient
}

// dockerCoordinator is used to coordinate actions against images to prevent
// racy deletions. It can be thought of as a reference counter on images.
type dockerCoordinator struct {
	*dockerCoordinatorConfig

	// imageLock is used to lock access to all images
	imageLock sync.Mutex

	// pullFutures is used to allow multiple callers to pull the same image but
	// only have one request be sent to Docker
	pullFutures map[string]*pullFuture
}

// newDockerCoordinator returns a new Docker coordinator
func newDockerCoordinator(config *dockerCoordinatorConfig) *dockerCoordinator {
	if config.client == nil {
		return nil
	}

	return &dockerCoordinator{
		dockerCoordinatorConfig: config,
		pullFutures:             make(map[string]*pullFuture),
	}
}

// Driver is the reduced docker task driver: ctx is the driver context that is
// cancelled at driver shutdown.
type Driver struct {
	ctx         context.Context
	logger      *slog.Logger
	endpoint    string
	coordinator *dockerCoordinator
}

// getDockerClient creates a docker API client with a hard-coded timeout.
func (d *Driver) getDockerClient() *Client {
	return NewClient(d.endpoint, &http.Client{Timeout: dockerTimeout})
}

// SetConfig wires the coordinator the way the driver does.
func (d *Driver) SetConfig() {
	coordinatorConfig := &dockerCoordinatorConfig{
		ctx:    d.ctx,
		client: d.getDockerClient(),
		logger: d.logger,
	}
	d.coordinator = newDockerCoordinator(coordinatorConfig)
}

// pullImage is the entry point used by StartTask.
func (d *Driver) pullImage(image string, pullTimeout, pullActivityTimeout time.Duration) (string, string, error) {
	return d.coordinator.PullImage(image, nil, "task-1", pullTimeout, pullActivityTimeout)
}

// PullImage is used to pull an image. It returns the pulled imaged ID or an
// error that occurred during the pull
func (d *dockerCoordinator) PullImage(image string, authOptions *AuthConfig, callerID string,
	pullTimeout, pullActivityTimeout time.Duration) (imageID, imageUser string, err error) {
	// Get the future
	d.imageLock.Lock()
	future, ok := d.pullFutures[image]
	if !ok {
		// Make the future
		future = newPullFuture()
		d.pullFutures[image] = future
		go d.pullImageImpl(image, authOptions, pullTimeout, pullActivityTimeout, future)
	}
	// We unlock while we wait since this can take a while
	d.imageLock.Unlock()

	// passing driver context here to stop waiting at driver shutdown
	id, user, err := future.wait(d.ctx).result()

	d.imageLock.Lock()
	defer d.imageLock.Unlock()

	// Delete the future since we don't need it and we don't want to cache an
	// image being there if it has possibly been manually deleted (outside of
	// Nomad).
	delete(d.pullFutures, image)

	return id, user, err
}

// pullImageImpl is the implementation of pulling an image. The results are
// returned via the passed future
func (d *dockerCoordinator) pullImageImpl(imageID string, authOptions *AuthConfig,
	pullTimeout, pullActivityTimeout time.Duration, future *pullFuture) {

	// Parse the repo and tag
	repo, tag := parseDockerImage(imageID)

	pullCtx, cancel := context.WithTimeout(d.ctx, pullTimeout)
	defer cancel()

	pm := newImageProgressManager(imageID, cancel, pullActivityTimeout)
	defer pm.stop()

	// Attempt to pull the image
	var auth AuthConfig
	if authOptions != nil {
		auth = *authOptions
	}

	pullOptions := PullOptions{RegistryAuth: auth.Auth}
	reader, err := d.client.ImagePull(pullCtx, dockerImageRef(repo, tag), pullOptions)

	if errors.Is(err, context.DeadlineExceeded) {
		d.logger.Error("timeout pulling container", "image_ref", dockerImageRef(repo, tag))
		future.set("", "", recoverablePullError(err, imageID))
		return
	}

	if err != nil {
		d.logger.Error("failed pulling container", "image_ref", dockerImageRef(repo, tag),
			"error", err)
		future.set("", "", recoverablePullError(err, imageID))
		return
	}

	if reader != nil {
		defer reader.Close()
		_, err = io.Copy(pm, reader)
		if err != nil && !errors.Is(err, io.EOF) {
			d.logger.Error("error reading image pull progress", "error", err)
			future.set("", "", recoverablePullError(err, imageID))
			return
		}
	}

	d.logger.Debug("docker pull succeeded", "image_ref", dockerImageRef(repo, tag))

	dockerImage, _, err := d.client.ImageInspectWithRaw(d.ctx, imageID)
	if err != nil {
		d.logger.Error("failed getting image id", "image_name", imageID, "error", err)
		future.set("", "", err)
		return
	}

	var imageUser string
	if dockerImage.Config != nil {
		imageUser = dockerImage.Config.User
	}

	future.set(dockerImage.ID, imageUser, err)
}

// parseDockerImage splits "repo:tag".
func parseDockerImage(image string) (repo, tag string) {
	if i := strings.LastIndex(image, ":"); i > 0 && !strings.Contains(image[i:], "/") {
		return image[:i], image[i+1:]
	}
	return image, "latest"
}

func dockerImageRef(repo, tag string) string {
	if tag == "" {
		return repo
	}
	return fmt.Sprintf("%s:%s", repo, tag)
}

// recoverablePullError wraps the error gotten when trying to pull and image if
// the error is recoverable.
func recoverablePullError(err error, image string) error {
	return fmt.Errorf("Failed to pull `%s`: %w", image, err)
}
