// Recall case nd-cloud-api-adaptor-aws-startvm
// Source: github.com/confidential-containers/cloud-api-adaptor commit d2e061496c77caf9ecf33332a66600afd9c85f3d (pkg/adaptor/hypervisor/aws/service.go)
// Link: https://github.com/confidential-containers/cloud-api-adaptor/commit/d2e061496c77caf9ecf33332a66600afd9c85f3d
// Bug: StartVM/StopVM call the EC2 API (RunInstances, CreateTags, TerminateInstances) with context.TODO(), so the gRPC caller's deadline/cancellation never reaches these remote calls and they can hang indefinitely.
// Fix: The caller's ctx is passed to CreateInstance, MakeTags and (via a new ctx parameter) deleteInstance.
// Rule: nodeadline
package aws

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"sync"
)

var logger = log.Default()

// ---- stand-in for the AWS EC2 SDK client: each call is a real HTTP request carrying ctx ----

type RunInstancesInput struct{ LaunchTemplateName, UserData string }
type RunInstancesOutput struct{ InstanceIDs []string }
type CreateTagsInput struct {
	Resources []string
	Tags      map[string]string
}
type CreateTagsOutput struct{}
type TerminateInstancesInput struct{ InstanceIds []string }
type TerminateInstancesOutput struct{}

type EC2Client struct {
	Endpoint string
	HTTP     *http.Client
}

func (c *EC2Client) call(ctx context.Context, action string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.Endpoint+"/?Action="+action, bytes.NewReader(body))
	if err != nil {
		return err
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return json.NewDecoder(resp.Body).Decode(out)
}

func (c *EC2Client) RunInstances(ctx context.Context, in *RunInstancesInput) (*RunInstancesOutput, error) {
	out := &RunInstancesOutput{}
	return out, c.call(ctx, "RunInstances", in, out)
}

func (c *EC2Client) CreateTags(ctx context.Context, in *CreateTagsInput) (*CreateTagsOutput, error) {
	out := &CreateTagsOutput{}
	return out, c.call(ctx, "CreateTags", in, out)
}

func (c *EC2Client) TerminateInstances(ctx context.Context, in *TerminateInstancesInput) (*TerminateInstancesOutput, error) {
	out := &TerminateInstancesOutput{}
	return out, c.call(ctx, "TerminateInstances", in, out)
}

// ---- ec2.go helpers ----

func CreateInstance(c context.Context, api *EC2Client, input *RunInstancesInput) (*RunInstancesOutput, error) {
	return api.RunInstances(c, input)
}

func DeleteInstance(c context.Context, api *EC2Client, input *TerminateInstancesInput) (*TerminateInstancesOutput, error) {
	return api.TerminateInstances(c, input)
}

func MakeTags(c context.Context, api *EC2Client, input *CreateTagsInput) (*CreateTagsOutput, error) {
	return api.CreateTags(c, input)
}

// ---- service.go ----

type StartVMRequest struct{ Id string }
type StartVMResponse struct{}
type StopVMRequest struct{ Id string }
type StopVMResponse struct{}

type sandbox struct {
	id, namespace, pod string
	vsi                string
}

type hypervisorService struct {
	ec2Client *EC2Client
	sandboxes map[string]*sandbox
	nodeName  string
	sync.Mutex
}

func (s *hypervisorService) getSandbox(id string) (*sandbox, error) {
	if id == "" {
		return nil, errors.New("empty sandbox id")
	}
	s.Lock()
	defer s.Unlock()
	sb, ok := s.sandboxes[id]
	if !ok {
		return nil, fmt.Errorf("sandbox %s does not exist", id)
	}
	return sb, nil
}

func (s *hypervisorService) StartVM(ctx context.Context, req *StartVMRequest) (*StartVMResponse, error) {
	sandbox, err := s.getSandbox(req.Id)
	if err != nil {
		return nil, err
	}

	input := &RunInstancesInput{LaunchTemplateName: "kata", UserData: "e30="}

	result, err := CreateInstance(context.TODO(), s.ec2Client, input)
	if err != nil {
		return nil, fmt.Errorf("Creating instance (%v) returned error: %s", result, err)
	}
	if len(result.InstanceIDs) == 0 {
		return nil, errors.New("no instance created")
	}
	sandbox.vsi = result.InstanceIDs[0]

	vmName := fmt.Sprintf("%s-%s-%s-%.8s", s.nodeName, sandbox.namespace, sandbox.pod, sandbox.id)
	tagInput := &CreateTagsInput{
		Resources: []string{sandbox.vsi},
		Tags:      map[string]string{"Name": vmName},
	}

	_, err = MakeTags(context.TODO(), s.ec2Client, tagInput)
	if err != nil {
		logger.Printf("Adding tags to the instance failed with error: %s", err)
	}

	return &StartVMResponse{}, nil
}

func (s *hypervisorService) deleteInstance(id string) error {
	terminateInput := &TerminateInstancesInput{InstanceIds: []string{id}}

	resp, err := DeleteInstance(context.TODO(), s.ec2Client, terminateInput)
	if err != nil {
		logger.Printf("failed to delete an instance: %v and the response is %v", err, resp)
		return err
	}
	logger.Printf("deleted an instance %s", id)
	return nil
}

func (s *hypervisorService) StopVM(ctx context.Context, req *StopVMRequest) (*StopVMResponse, error) {
	sandbox, err := s.getSandbox(req.Id)
	if err != nil {
		return nil, err
	}

	if err := s.deleteInstance(sandbox.vsi); err != nil {
		return nil, err
	}
	return &StopVMResponse{}, nil
}
