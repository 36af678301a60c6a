// Recall case sd-woodpecker-clonedownload
// Source: github.com/woodpecker-ci/woodpecker commit 47ffb3209ee8a2d72f03f4e4a2df57e31804cd70 (pipeline/backend/local/clone.go)
// Link: https://github.com/woodpecker-ci/woodpecker/commit/47ffb3209ee8a2d72f03f4e4a2df57e31804cd70
// Bug: local.StartStep -> execClone(ctx, ...) -> setupClone(state) -> downloadLatestGitPluginBinary(dest) drops the step ctx and fetches the GitHub release with http.NewRequest / http.Get on http.DefaultClient, so the download ignores the workflow's cancellation and timeout.
// Fix: thread ctx through setupClone and downloadLatestGitPluginBinary and build both requests with http.NewRequestWithContext(ctx, ...).
// Rule: sharedeadline
package local

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
)

// ErrUnsupportedStepType is returned for step types this backend cannot run.
var ErrUnsupportedStepType = errors.New("unsupported step type")

// StepType identifies the kind of step.
type StepType string

const (
	StepTypeClone    StepType = "clone"
	StepTypeCommands StepType = "commands"
)

// Step is the reduced pipeline/backend/types.Step.
type Step struct {
	Name        string
	UUID        string
	Type        StepType
	Image       string
	Environment map[string]string
}

type stepState struct {
	cmd    *exec.Cmd
	output io.ReadCloser
}

type workflowState struct {
	stepState       sync.Map // map of *stepState
	baseDir         string
	homeDir         string
	workspaceDir    string
	pluginGitBinary string
}

type local struct {
	workflows       sync.Map
	pluginGitBinary string
	os, arch        string
}

func (e *local) getWorkflowState(taskUUID string) (*workflowState, error) {
	state, ok := e.workflows.Load(taskUUID)
	if !ok {
		return nil, fmt.Errorf("workflow %s not found", taskUUID)
	}
	s, ok := state.(*workflowState)
	if !ok {
		return nil, fmt.Errorf("could not parse state: %v", state)
	}
	return s, nil
}

func (e *local) StartStep(ctx context.Context, step *Step, taskUUID string) error {
	log.Printf("start step %s", step.Name)

	state, err := e.getWorkflowState(taskUUID)
	if err != nil {
		return err
	}

	// Get environment variables
	env := os.Environ()
	for a, b := range step.Environment {
		env = append(env, a+"="+b)
	}

	// Set HOME and CI_WORKSPACE
	env = append(env, "HOME="+state.homeDir)
	env = append(env, "CI_WORKSPACE="+state.workspaceDir)

	switch step.Type {
	case StepTypeClone:
		return e.execClone(ctx, step, state, env)
	default:
		return ErrUnsupportedStepType
	}
}

// checkGitCloneCap check if we have the git binary on hand.
func checkGitCloneCap() error {
	_, err := exec.LookPath("git")
	return err
}

// setupClone prepare the clone environment before exec.
func (e *local) setupClone(state *workflowState) error {
	if e.pluginGitBinary != "" {
		state.pluginGitBinary = e.pluginGitBinary
		return nil
	}

	log.Printf("no global 'plugin-git' installed, try to download for current workflow")
	state.pluginGitBinary = filepath.Join(state.homeDir, "plugin-git")
	if e.os == "windows" {
		state.pluginGitBinary += ".exe"
	}
	return e.downloadLatestGitPluginBinary(state.pluginGitBinary)
}

// execClone executes a clone-step locally.
func (e *local) execClone(ctx context.Context, step *Step, state *workflowState, env []string) error {
	if err := checkGitCloneCap(); err != nil {
		return fmt.Errorf("check for git clone capabilities failed: %w", err)
	}

	if err := e.setupClone(state); err != nil {
		return fmt.Errorf("setup clone step failed: %w", err)
	}

	if !strings.Contains(step.Image, "plugin-git") {
		log.Printf("clone step image '%s' does not match default git clone image. We ignore it and use our plugin-git anyway.", step.Image)
	}

	cmd := exec.CommandContext(ctx, state.pluginGitBinary)
	cmd.Env = env
	cmd.Dir = state.workspaceDir

	reader, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}

	// Save state
	state.stepState.Store(step.UUID, &stepState{
		cmd:    cmd,
		output: reader,
	})

	// Get output and redirect Stderr to Stdout
	cmd.Stderr = cmd.Stdout

	return cmd.Start()
}

// downloadLatestGitPluginBinary download the latest plugin-git binary based on runtime OS and Arch
// and saves it to dest.
func (e *local) downloadLatestGitPluginBinary(dest string) error {
	type asset struct {
		Name               string
		BrowserDownloadURL string `json:"browser_download_url"`
	}

	type release struct {
		Assets []asset
	}

	// get latest release
	req, _ := http.NewRequest(http.MethodGet, "https://api.github.com/repos/woodpecker-ci/plugin-git/releases/latest", nil)
	req.Header.Set("Accept", "application/vnd.github+json")
	req.Header.Set("X-GitHub-Api-Version", "2022-11-28")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("could not get latest release: %w", err)
	}
	raw, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	var rel release
	if err := json.Unmarshal(raw, &rel); err != nil {
		return fmt.Errorf("could not unmarshal github response: %w", err)
	}

	for _, at := range rel.Assets {
		if strings.Contains(at.Name, e.os) && strings.Contains(at.Name, e.arch) {
			resp2, err := http.Get(at.BrowserDownloadURL)
			if err != nil {
				return fmt.Errorf("could not download plugin-git: %w", err)
			}
			defer resp2.Body.Close()

			file, err := os.Create(dest)
			if err != nil {
				return fmt.Errorf("could not create plugin-git: %w", err)
			}
			defer file.Close()

			if _, err := io.Copy(file, resp2.Body); err != nil {
				return fmt.Errorf("could not download plugin-git: %w", err)
			}
			if err := os.Chmod(dest, 0o755); err != nil {
				return err
			}

			// download successful
			log.Printf("download of 'plugin-git' to '%s' successful", dest)
			return nil
		}
	}

	return fmt.Errorf("could not download plugin-git, binary for this os/arch not found")
}
