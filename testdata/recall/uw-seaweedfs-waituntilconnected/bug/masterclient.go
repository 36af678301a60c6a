// Recall case uw-seaweedfs-waituntilconnected
// Source: github.com/seaweedfs/seaweedfs commit eb860752e6c0a86131e39d648f0a64364408ab93 (weed/wdclient/masterclient.go)
// Link: https://github.com/seaweedfs/seaweedfs/commit/eb860752e6c0a86131e39d648f0a64364408ab93
// Bug: MasterClient.WaitUntilConnected (reached from GetMaster/GetMasters) sleeps with time.Sleep between polls, so once ctx is cancelled it still blocks for up to 200ms before noticing.
// Fix: the sleep is replaced by a select on ctx.Done() and time.After(sleepDuration), returning as soon as ctx is cancelled.
// Rule: uncancellablewait
package wdclient

import (
	"context"
	"log"
	"math/rand"
	"sync"
	"time"
)

// ServerAddress stands in for pb.ServerAddress.
type ServerAddress string

// ServerDiscovery is the reduced pb.ServerDiscovery holding the configured masters.
type ServerDiscovery struct {
	instances []ServerAddress
}

func (sd *ServerDiscovery) GetInstances() []ServerAddress {
	return sd.instances
}

type MasterClient struct {
	FilerGroup string
	clientType string
	masters    *ServerDiscovery

	currentMaster     ServerAddress
	currentMasterLock sync.RWMutex
}

func NewMasterClient(filerGroup, clientType string, masters []ServerAddress) *MasterClient {
	return &MasterClient{
		FilerGroup: filerGroup,
		clientType: clientType,
		masters:    &ServerDiscovery{instances: masters},
	}
}

func (mc *MasterClient) getCurrentMaster() ServerAddress {
	mc.currentMasterLock.RLock()
	defer mc.currentMasterLock.RUnlock()
	return mc.currentMaster
}

// setCurrentMaster is called by KeepConnectedToMaster once a master answers.
func (mc *MasterClient) setCurrentMaster(master ServerAddress) {
	mc.currentMasterLock.Lock()
	mc.currentMaster = master
	mc.currentMasterLock.Unlock()
}

// GetMaster returns the current master address, blocking until connected.
func (mc *MasterClient) GetMaster(ctx context.Context) ServerAddress {
	mc.WaitUntilConnected(ctx)
	return mc.getCurrentMaster()
}

// GetMasters returns all configured master addresses, blocking until connected.
func (mc *MasterClient) GetMasters(ctx context.Context) []ServerAddress {
	mc.WaitUntilConnected(ctx)
	return mc.masters.GetInstances()
}

// WaitUntilConnected blocks until a master connection is established or ctx is canceled.
// This does NOT initiate connections - it only waits for KeepConnectedToMaster to succeed.
func (mc *MasterClient) WaitUntilConnected(ctx context.Context) {
	attempts := 0
	for {
		select {
		case <-ctx.Done():
			return
		default:
			currentMaster := mc.getCurrentMaster()
			if currentMaster != "" {
				return
			}
			attempts++
			if attempts%100 == 0 { // Log every 100 attempts (roughly every 20 seconds)
				log.Printf("%s.%s WaitUntilConnected still waiting for master connection (attempt %d)...", mc.FilerGroup, mc.clientType, attempts)
			}
			time.Sleep(time.Duration(rand.Int31n(200)) * time.Millisecond)
		}
	}
}
