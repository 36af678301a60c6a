// Recall case nd-autoscaler-vmsslist
// Source: github.com/kubernetes/autoscaler commit 3891852eec5e40730790f53bfe9d00e209f35c4e (cluster-autoscaler/cloudprovider/azure/azure_scale_set.go)
// Link: https://github.com/kubernetes/autoscaler/commit/3891852eec5e40730790f53bfe9d00e209f35c4e
// Bug: The VMSS List GET calls run with a context from getContextWithCancel (context.Background with only a cancel func), so a hung Azure API request blocks the autoscaler main loop with no deadline.
// Fix: The GET calls use getContextWithTimeout(3 * time.Minute) instead.
// Rule: nodeadline
package azure

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"net/url"
)

// RetryError is a stand-in for retry.Error.
type RetryError struct {
	RawError error
}

func (e *RetryError) Error() string { return e.RawError.Error() }

// VirtualMachineScaleSet is a stand-in for compute.VirtualMachineScaleSet.
type VirtualMachineScaleSet struct {
	Name *string `json:"name"`
}

// VirtualMachineScaleSetVM is a stand-in for compute.VirtualMachineScaleSetVM.
type VirtualMachineScaleSetVM struct {
	ID *string `json:"id"`
}

// armClient is a small stand-in for the Azure ARM REST client.
type armClient struct {
	baseURL string
	http    *http.Client
}

func (c *armClient) get(ctx context.Context, path string, out any) *RetryError {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.baseURL+path, nil)
	if err != nil {
		return &RetryError{RawError: err}
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return &RetryError{RawError: err}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return &RetryError{RawError: fmt.Errorf("status %d", resp.StatusCode)}
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return &RetryError{RawError: err}
	}
	return nil
}

type virtualMachineScaleSetsClient struct{ c *armClient }

func (v *virtualMachineScaleSetsClient) List(ctx context.Context, resourceGroup string) ([]VirtualMachineScaleSet, *RetryError) {
	var out []VirtualMachineScaleSet
	rerr := v.c.get(ctx, "/resourceGroups/"+url.PathEscape(resourceGroup)+"/virtualMachineScaleSets", &out)
	return out, rerr
}

type virtualMachineScaleSetVMsClient struct{ c *armClient }

func (v *virtualMachineScaleSetVMsClient) List(ctx context.Context, resourceGroup, name, expand string) ([]VirtualMachineScaleSetVM, *RetryError) {
	var out []VirtualMachineScaleSetVM
	rerr := v.c.get(ctx, "/resourceGroups/"+url.PathEscape(resourceGroup)+"/virtualMachineScaleSets/"+url.PathEscape(name)+"/virtualMachines?$expand="+url.QueryEscape(expand), &out)
	return out, rerr
}

type azClient struct {
	virtualMachineScaleSetsClient   *virtualMachineScaleSetsClient
	virtualMachineScaleSetVMsClient *virtualMachineScaleSetVMsClient
}

type config struct{ ResourceGroup string }

type AzureManager struct {
	config   *config
	azClient *azClient
}

type ScaleSet struct {
	Name    string
	manager *AzureManager
}

func (scaleSet *ScaleSet) getAllVMSSInfo() ([]VirtualMachineScaleSet, *RetryError) {
	ctx, cancel := getContextWithCancel()
	defer cancel()

	resourceGroup := scaleSet.manager.config.ResourceGroup
	setInfo, rerr := scaleSet.manager.azClient.virtualMachineScaleSetsClient.List(ctx, resourceGroup)
	if rerr != nil {
		return []VirtualMachineScaleSet{}, rerr
	}

	return setInfo, nil
}

// GetScaleSetVms returns list of nodes for the given scale set.
func (scaleSet *ScaleSet) GetScaleSetVms() ([]VirtualMachineScaleSetVM, *RetryError) {
	log.Printf("GetScaleSetVms: starts")
	ctx, cancel := getContextWithCancel()
	defer cancel()

	resourceGroup := scaleSet.manager.config.ResourceGroup
	vmList, rerr := scaleSet.manager.azClient.virtualMachineScaleSetVMsClient.List(ctx, resourceGroup, scaleSet.Name, "")
	log.Printf("GetScaleSetVms: scaleSet.Name: %s, vmList: %v", scaleSet.Name, vmList)
	if rerr != nil {
		log.Printf("VirtualMachineScaleSetVMsClient.List failed for %s: %v", scaleSet.Name, rerr)
		return nil, rerr
	}

	return vmList, nil
}
