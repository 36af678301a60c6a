// Recall case nd-travisworker-warmerrequest
// Source: github.com/travis-ci/worker commit bd6e51d34a2830d8ade7113f5ff1de3749909909 (backend/gce.go)
// Link: https://github.com/travis-ci/worker/commit/bd6e51d34a2830d8ade7113f5ff1de3749909909
// Bug: gceProvider.warmerRequestInstance POSTs to the warmer service with a bare &http.Client{} (no Timeout) and a request built by http.NewRequest (no ctx), so a hung warmer blocks stepInsertInstance, and the job start, forever.
// Fix: the client is built as &http.Client{Timeout: p.warmerTimeout} (new WARMER_TIMEOUT setting, default 5s).
// Rule: nodeadline
package backend

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/url"
	"time"
)

const (
	defaultGCESSHDialTimeout = 5 * time.Second
)

type AttachedDiskInitializeParams struct{ SourceImage string }
type AttachedDisk struct{ InitializeParams *AttachedDiskInitializeParams }

// Instance stands in for compute.Instance.
type Instance struct {
	Name        string
	MachineType string
	Disks       []*AttachedDisk
}

type StartAttributes struct{ Warmer bool }

type gceStartContext struct {
	ctx              context.Context
	startAttributes  *StartAttributes
	zoneName         string
	instance         *Instance
	instanceWarmedIP string
	bootStart        time.Time
	errChan          chan error
}

// instancesService stands in for the GCE compute API (it uses the caller's ctx).
type instancesService struct {
	base   string
	client *http.Client
}

func (s *instancesService) Insert(ctx context.Context, project, zone string, inst *Instance) error {
	body, _ := json.Marshal(inst)
	req, err := http.NewRequestWithContext(ctx, "POST", s.base+"/projects/"+project+"/zones/"+zone+"/instances", bytes.NewReader(body))
	if err != nil {
		return err
	}
	res, err := s.client.Do(req)
	if err != nil {
		return err
	}
	res.Body.Close()
	return nil
}

type gceProvider struct {
	projectID string
	instances *instancesService
	warmerUrl *url.URL
}

func newGCEProvider(projectID, apiBase string, warmerUrl *url.URL) *gceProvider {
	return &gceProvider{
		projectID: projectID,
		instances: &instancesService{base: apiBase, client: &http.Client{Timeout: time.Minute}},
		warmerUrl: warmerUrl,
	}
}

type StepAction int

const (
	ActionContinue StepAction = iota
	ActionHalt
)

func (p *gceProvider) stepInsertInstance(c *gceStartContext, inst *Instance) StepAction {
	c.bootStart = time.Now().UTC()

	if c.startAttributes.Warmer && p.warmerUrl != nil {
		warmedIP, err := p.warmerRequestInstance(c.zoneName, inst)
		if err != nil {
			log.Printf("could not obtain instance from warmer: %v", err)
		} else {
			c.instance = inst
			c.instanceWarmedIP = warmedIP
			return ActionContinue
		}
	}

	if err := p.instances.Insert(c.ctx, p.projectID, c.zoneName, inst); err != nil {
		c.errChan <- err
		return ActionHalt
	}
	c.instance = inst
	return ActionContinue
}

func (p *gceProvider) warmerRequestInstance(zone string, inst *Instance) (string, error) {
	if len(inst.Disks) == 0 {
		return "", errors.New("missing disk in instance description")
	}

	warmerReq := &warmerRequest{
		Zone:        zone,
		ImageName:   inst.Disks[0].InitializeParams.SourceImage,
		MachineType: inst.MachineType,
	}

	reqBody, err := json.Marshal(warmerReq)
	if err != nil {
		return "", fmt.Errorf("could not encode request body: %v", err)
	}

	b := bytes.NewBuffer(reqBody)
	req, err := http.NewRequest(
		"POST",
		p.warmerUrl.String()+"/request-instance",
		b,
	)
	if err != nil {
		return "", fmt.Errorf("could not create http request: %v", err)
	}

	req.Header.Add("Content-Type", "application/json")
	if p.warmerUrl.User != nil {
		if pw, ok := p.warmerUrl.User.Password(); ok {
			req.SetBasicAuth(p.warmerUrl.User.Username(), pw)
		}
	}

	client := &http.Client{}
	res, err := client.Do(req)
	if err != nil {
		return "", fmt.Errorf("could not perform http request: %v", err)
	}
	defer res.Body.Close()

	if res.StatusCode != 200 {
		return "", fmt.Errorf("expected 200 response code from warmer, got %v", res.StatusCode)
	}

	warmerRes := &warmerResponse{}

	err = json.NewDecoder(res.Body).Decode(warmerRes)
	if err != nil {
		return "", fmt.Errorf("could not decode response body: %v", err)
	}

	return warmerRes.IP, nil
}

type warmerRequest struct {
	Zone        string `json:"zone"`
	ImageName   string `json:"image_name"`
	MachineType string `json:"machine_type"`
}

type warmerResponse struct {
	Name string `json:"name"`
	IP   string `json:"ip"`
}
