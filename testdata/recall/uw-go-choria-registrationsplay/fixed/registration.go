// Recall case uw-go-choria-registrationsplay
// Source: github.com/choria-io/go-choria commit b22b419fa7932ba05017e3de1b16a6248d69b85c (server/registration/registration.go)
// Link: https://github.com/choria-io/go-choria/commit/b22b419fa7932ba05017e3de1b16a6248d69b85c
// Bug: registrationWorker has a ctx but sleeps the RegistrationSplay delay (up to RegisterInterval seconds) with time.Sleep, so server shutdown waits for the whole splay before the worker notices ctx is done.
// Fix: the sleep is replaced by util.InterruptibleSleep(ctx, d) (timer + select on ctx.Done()) and the worker returns when it is interrupted.
// Rule: uncancellablewait
package registration

import (
	"context"
	"fmt"
	"log"
	"math/rand"
	"net"
	"sync"
	"time"
)

// RegistrationItem is a reduced stand-in for server/data.RegistrationItem.
type RegistrationItem struct {
	Data        []byte
	Destination string
	TargetAgent string
}

// RegistrationDataProvider is a provider for data that can be registered into a running server instance.
type RegistrationDataProvider interface {
	StartRegistration(ctx context.Context, wg *sync.WaitGroup, interval int, output chan *RegistrationItem)
}

type managerConfig struct {
	RegistrationSplay bool
	RegisterInterval  int
}

// Manager of registration plugins
type Manager struct {
	cfg   *managerConfig
	datac chan *RegistrationItem
	conn  net.Conn
	log   *log.Logger
}

// RegisterProvider creates a publisher for a new provider
func (reg *Manager) RegisterProvider(ctx context.Context, wg *sync.WaitGroup, provider RegistrationDataProvider) error {
	wg.Add(1)
	go reg.registrationWorker(ctx, wg, provider)

	return nil
}

func (reg *Manager) registrationWorker(ctx context.Context, wg *sync.WaitGroup, registrator RegistrationDataProvider) {
	defer wg.Done()

	if reg.cfg.RegistrationSplay {
		sleepTime := time.Duration(rand.Intn(reg.cfg.RegisterInterval)) * time.Second
		reg.log.Printf("Sleeping %s seconds before first poll due to RegistrationSplay", sleepTime)
		err := InterruptibleSleep(ctx, sleepTime)
		if err != nil {
			reg.log.Printf("Registration system exiting on shut down")
			return
		}
	}

	wg.Add(1)
	go registrator.StartRegistration(ctx, wg, reg.cfg.RegisterInterval, reg.datac)

	for {
		select {
		case msg := <-reg.datac:
			reg.publish(msg)
		case <-ctx.Done():
			reg.log.Printf("Registration system exiting on shut down")
			return
		}
	}
}

func (reg *Manager) publish(rmsg *RegistrationItem) {
	if rmsg == nil || len(rmsg.Data) == 0 {
		reg.log.Printf("Received empty data from Registration Plugin, skipping")
		return
	}

	if _, err := reg.conn.Write(rmsg.Data); err != nil {
		reg.log.Printf("Could not publish registration data: %s", err)
	}
}

// InterruptibleSleep sleep for the duration or until the context is done
// (from internal/util/util.go).
func InterruptibleSleep(ctx context.Context, d time.Duration) error {
	timer := time.NewTimer(d)

	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("sleep interrupted by context")
	}
}
