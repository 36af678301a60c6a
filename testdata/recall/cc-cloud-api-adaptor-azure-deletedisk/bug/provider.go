// Recall case cc-cloud-api-adaptor-azure-deletedisk
// Source: github.com/confidential-containers/cloud-api-adaptor commit e6c9aec85d9cbfe20920a55820d0a8958fa2f9f1 (pkg/adaptor/cloud/azure/provider.go)
// Link: https://github.com/confidential-containers/cloud-api-adaptor/commit/e6c9aec85d9cbfe20920a55820d0a8958fa2f9f1
// Bug: When p.create(ctx, ...) fails because ctx was cancelled, the rollback p.deleteDisk(ctx, diskName) runs with that same cancelled ctx, so the disk cleanup request never goes out and the disk leaks.
// Fix: The cleanup deleteDisk call uses context.Background() (like the NIC cleanup next to it).
// Rule: cleanupctx
package azure

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"time"
)

var logger = log.Default()

// ---- stand-in for the Azure ARM clients: long-running operations over real HTTP with ctx ----

type armClient struct {
	BaseURL string
	HTTP    *http.Client
}

func (c *armClient) do(ctx context.Context, method, path string, in, out any) error {
	var body bytes.Buffer
	if in != nil {
		if err := json.NewEncoder(&body).Encode(in); err != nil {
			return err
		}
	}
	req, err := http.NewRequestWithContext(ctx, method, c.BaseURL+path, &body)
	if err != nil {
		return err
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		return fmt.Errorf("azure: %s %s: %s", method, path, resp.Status)
	}
	if out != nil {
		return json.NewDecoder(resp.Body).Decode(out)
	}
	return nil
}

type VirtualMachine struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type Config struct {
	SubscriptionId    string
	ResourceGroupName string
}

type azureProvider struct {
	azureClient   *armClient
	serviceConfig *Config
}

func (p *azureProvider) rgPath() string {
	return "/subscriptions/" + p.serviceConfig.SubscriptionId + "/resourceGroups/" + p.serviceConfig.ResourceGroupName
}

func (p *azureProvider) create(ctx context.Context, parameters *VirtualMachine) (*VirtualMachine, error) {
	resp := &VirtualMachine{}
	if err := p.azureClient.do(ctx, http.MethodPut, p.rgPath()+"/providers/Microsoft.Compute/virtualMachines/"+parameters.Name, parameters, resp); err != nil {
		return nil, fmt.Errorf("waiting for the VM creation: %w", err)
	}
	logger.Printf("created VM successfully: %s", resp.ID)
	return resp, nil
}

func (p *azureProvider) deleteDisk(ctx context.Context, diskName string) error {
	if err := p.azureClient.do(ctx, http.MethodDelete, p.rgPath()+"/providers/Microsoft.Compute/disks/"+diskName, nil, nil); err != nil {
		return fmt.Errorf("waiting for the disk deletion: %w", err)
	}
	logger.Printf("deleted disk successfully: %s", diskName)
	return nil
}

func (p *azureProvider) deleteNetworkInterfaceAsync(ctx context.Context, nicName string) error {
	path := p.rgPath() + "/providers/Microsoft.Network/networkInterfaces/" + nicName
	// retry with exponential backoff
	go func() {
		wait := time.Second
		for attempt := 0; attempt < 5; attempt++ {
			err := p.azureClient.do(ctx, http.MethodDelete, path, nil, nil)
			if err == nil {
				logger.Printf("deleted network interface successfully: %s", nicName)
				return
			}
			logger.Printf("deleting network interface (%s): %v", nicName, err)
			select {
			case <-ctx.Done():
				return
			case <-time.After(wait):
				wait *= 2
			}
		}
	}()
	return nil
}

type Instance struct {
	ID   string
	Name string
}

func (p *azureProvider) CreateInstance(ctx context.Context, podName, sandboxID string) (*Instance, error) {
	instanceName := fmt.Sprintf("podvm-%s-%.8s", podName, sandboxID)
	diskName := fmt.Sprintf("%s-disk", instanceName)
	nicName := fmt.Sprintf("%s-net", instanceName)

	vmParameters := &VirtualMachine{Name: instanceName}

	logger.Printf("CreateInstance: name: %q", instanceName)

	result, err := p.create(ctx, vmParameters)
	if err != nil {
		if err := p.deleteDisk(ctx, diskName); err != nil {
			logger.Printf("deleting disk (%s): %s", diskName, err)
		}
		if err := p.deleteNetworkInterfaceAsync(context.Background(), nicName); err != nil {
			logger.Printf("deleting nic async (%s): %s", nicName, err)
		}
		return nil, fmt.Errorf("Creating instance (%v): %s", result, err)
	}

	return &Instance{ID: result.ID, Name: instanceName}, nil
}
