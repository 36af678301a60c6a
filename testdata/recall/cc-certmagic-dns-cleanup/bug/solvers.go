// Recall case cc-certmagic-dns-cleanup
// Source: github.com/caddyserver/certmagic commit 76f61c2947a20d86ca37669dbdc0ed7a96fc6c5f (solvers.go)
// Link: https://github.com/caddyserver/certmagic/commit/76f61c2947a20d86ca37669dbdc0ed7a96fc6c5f
// Bug: DNS01Solver.CleanUp passes the ctx it receives to DNSProvider.DeleteRecords, but CleanUp is deferred by the ACME client (solveChallenges) after Wait returned because that very ctx was cancelled/timed out, so the temporary TXT record is never deleted.
// Fix: CleanUp ignores its ctx and calls DeleteRecords with context.WithTimeout(context.Background(), PropagationTimeout or 2m default).
// Rule: cleanupctx
package certmagic

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// ---- stand-ins for github.com/mholt/acmez/acme and github.com/libdns/libdns ----

type Challenge struct {
	Type             string
	Identifier       string
	KeyAuthorization string
}

func (c Challenge) DNS01TXTRecordName() string {
	return "_acme-challenge." + strings.TrimPrefix(c.Identifier, "*.")
}

func (c Challenge) DNS01KeyAuthorization() string {
	h := sha256.Sum256([]byte(c.KeyAuthorization))
	return base64.RawURLEncoding.EncodeToString(h[:])
}

type Record struct {
	ID    string        `json:"id,omitempty"`
	Type  string        `json:"type"`
	Name  string        `json:"name"`
	Value string        `json:"value"`
	TTL   time.Duration `json:"ttl"`
}

func RelativeName(fqdn, zone string) string {
	return strings.TrimSuffix(strings.TrimSuffix(fqdn, zone), ".")
}

// ACMEDNSProvider defines the set of operations required for
// ACME challenges (libdns.RecordAppender + libdns.RecordDeleter).
type ACMEDNSProvider interface {
	AppendRecords(ctx context.Context, zone string, recs []Record) ([]Record, error)
	DeleteRecords(ctx context.Context, zone string, recs []Record) ([]Record, error)
}

// restDNSProvider is a typical libdns provider: a REST API client whose calls
// are bounded only by the ctx they are given.
type restDNSProvider struct {
	client   *http.Client
	endpoint string
	token    string
}

func (p *restDNSProvider) do(ctx context.Context, method, zone string, recs []Record) ([]Record, error) {
	body, err := json.Marshal(recs)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, method, p.endpoint+"/zones/"+zone+"/records", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+p.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := p.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		return nil, fmt.Errorf("%s records in zone %s: %s", method, zone, resp.Status)
	}
	var out []Record
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return nil, err
	}
	return out, nil
}

func (p *restDNSProvider) AppendRecords(ctx context.Context, zone string, recs []Record) ([]Record, error) {
	return p.do(ctx, http.MethodPost, zone, recs)
}

func (p *restDNSProvider) DeleteRecords(ctx context.Context, zone string, recs []Record) ([]Record, error) {
	return p.do(ctx, http.MethodDelete, zone, recs)
}

// findZoneByFQDN is reduced to a pure computation (upstream does SOA lookups).
func findZoneByFQDN(fqdn string) (string, error) {
	labels := strings.Split(strings.TrimSuffix(fqdn, "."), ".")
	if len(labels) < 2 {
		return "", fmt.Errorf("no zone for %q", fqdn)
	}
	return strings.Join(labels[len(labels)-2:], ".") + ".", nil
}

// checkDNSPropagation is reduced to one TXT lookup; upstream uses a miekg/dns
// client whose queries time out after 2s by default.
func checkDNSPropagation(ctx context.Context, fqdn, value string) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	txts, err := net.DefaultResolver.LookupTXT(ctx, fqdn)
	if err != nil {
		return false, err
	}
	for _, t := range txts {
		if t == value {
			return true, nil
		}
	}
	return false, nil
}

// ---- upstream code (solvers.go) ----

// DNS01Solver is a type that makes libdns providers usable as ACME dns-01
// challenge solvers. See https://github.com/libdns/libdns
type DNS01Solver struct {
	// The implementation that interacts with the DNS
	// provider to set or delete records. (REQUIRED)
	DNSProvider ACMEDNSProvider

	// The TTL for the temporary challenge records.
	TTL time.Duration

	// How long to wait before starting propagation checks.
	// Default: 0 (no wait).
	PropagationDelay time.Duration

	// Maximum time to wait for temporary DNS record to appear.
	// Set to -1 to disable propagation checks.
	// Default: 2 minutes.
	PropagationTimeout time.Duration

	// Override the domain to set the TXT record on. This is
	// to delegate the challenge to a different domain. Note
	// that the solver doesn't follow CNAME/NS record.
	OverrideDomain string

	// Remember DNS records while challenges are active; i.e.
	// records we have presented and not yet cleaned up.
	txtRecords   map[string][]dnsPresentMemory
	txtRecordsMu sync.Mutex
}

// Present creates the DNS TXT record for the given ACME challenge.
func (s *DNS01Solver) Present(ctx context.Context, challenge Challenge) error {
	dnsName := challenge.DNS01TXTRecordName()
	if s.OverrideDomain != "" {
		dnsName = s.OverrideDomain
	}
	keyAuth := challenge.DNS01KeyAuthorization()

	zone, err := findZoneByFQDN(dnsName)
	if err != nil {
		return fmt.Errorf("could not determine zone for domain %q: %v", dnsName, err)
	}

	rec := Record{
		Type:  "TXT",
		Name:  RelativeName(dnsName+".", zone),
		Value: keyAuth,
		TTL:   s.TTL,
	}

	results, err := s.DNSProvider.AppendRecords(ctx, zone, []Record{rec})
	if err != nil {
		return fmt.Errorf("adding temporary record for zone %q: %w", zone, err)
	}
	if len(results) != 1 {
		return fmt.Errorf("expected one record, got %d: %v", len(results), results)
	}

	// remember the record and zone we got so we can clean up more efficiently
	s.saveDNSPresentMemory(dnsPresentMemory{
		dnsZone: zone,
		dnsName: dnsName,
		rec:     results[0],
	})

	return nil
}

// Wait blocks until the TXT record created in Present() appears in
// authoritative lookups, i.e. until it has propagated, or until
// timeout, whichever is first.
func (s *DNS01Solver) Wait(ctx context.Context, challenge Challenge) error {
	// if configured to, pause before doing propagation checks
	// (even if they are disabled, the wait might be desirable on its own)
	if s.PropagationDelay > 0 {
		select {
		case <-time.After(s.PropagationDelay):
		case <-ctx.Done():
			return ctx.Err()
		}
	}

	// skip propagation checks if configured to do so
	if s.PropagationTimeout == -1 {
		return nil
	}

	// prepare for the checks by determining what to look for
	dnsName := challenge.DNS01TXTRecordName()
	if s.OverrideDomain != "" {
		dnsName = s.OverrideDomain
	}
	keyAuth := challenge.DNS01KeyAuthorization()

	// timings
	timeout := s.PropagationTimeout
	if timeout == 0 {
		timeout = 2 * time.Minute
	}
	const interval = 2 * time.Second

	var err error
	start := time.Now()
	for time.Since(start) < timeout {
		select {
		case <-time.After(interval):
		case <-ctx.Done():
			return ctx.Err()
		}
		var ready bool
		ready, err = checkDNSPropagation(ctx, dnsName, keyAuth)
		if err != nil {
			return fmt.Errorf("checking DNS propagation of %q: %w", dnsName, err)
		}
		if ready {
			return nil
		}
	}

	return fmt.Errorf("timed out waiting for record to fully propagate; verify DNS provider configuration is correct - last error: %v", err)
}

// CleanUp deletes the DNS TXT record created in Present().
func (s *DNS01Solver) CleanUp(ctx context.Context, challenge Challenge) error {
	dnsName := challenge.DNS01TXTRecordName()
	if s.OverrideDomain != "" {
		dnsName = s.OverrideDomain
	}
	keyAuth := challenge.DNS01KeyAuthorization()

	// always forget about the record so we don't leak memory
	defer s.deleteDNSPresentMemory(dnsName, keyAuth)

	// recall the record we created and zone we looked up
	memory, err := s.getDNSPresentMemory(dnsName, keyAuth)
	if err != nil {
		return err
	}

	// clean up the record
	_, err = s.DNSProvider.DeleteRecords(ctx, memory.dnsZone, []Record{memory.rec})
	if err != nil {
		return fmt.Errorf("deleting temporary record for name %q in zone %q: %w", memory.dnsName, memory.dnsZone, err)
	}

	return nil
}

type dnsPresentMemory struct {
	dnsZone string
	dnsName string
	rec     Record
}

func (s *DNS01Solver) saveDNSPresentMemory(mem dnsPresentMemory) {
	s.txtRecordsMu.Lock()
	if s.txtRecords == nil {
		s.txtRecords = make(map[string][]dnsPresentMemory)
	}
	s.txtRecords[mem.dnsName] = append(s.txtRecords[mem.dnsName], mem)
	s.txtRecordsMu.Unlock()
}

func (s *DNS01Solver) getDNSPresentMemory(dnsName, keyAuth string) (dnsPresentMemory, error) {
	s.txtRecordsMu.Lock()
	defer s.txtRecordsMu.Unlock()

	var memory dnsPresentMemory
	for _, mem := range s.txtRecords[dnsName] {
		if mem.rec.Value == keyAuth {
			memory = mem
			break
		}
	}

	if memory.rec.Name == "" {
		return dnsPresentMemory{}, fmt.Errorf("no memory of presenting a DNS record for %q (usually OK if presenting also failed)", dnsName)
	}

	return memory, nil
}

func (s *DNS01Solver) deleteDNSPresentMemory(dnsName, keyAuth string) {
	s.txtRecordsMu.Lock()
	defer s.txtRecordsMu.Unlock()

	for i, mem := range s.txtRecords[dnsName] {
		if mem.rec.Value == keyAuth {
			s.txtRecords[dnsName] = append(s.txtRecords[dnsName][:i], s.txtRecords[dnsName][i+1:]...)
			return
		}
	}
}

// ---- callers: acmez Client.solveChallenges (reduced) and certmagic's on-demand obtain ----

// solveChallenges mirrors acmez: the solver's CleanUp is deferred with the
// same ctx that Present/Wait ran under.
func solveChallenges(ctx context.Context, solver *DNS01Solver, chal Challenge) error {
	if err := solver.Present(ctx, chal); err != nil {
		return err
	}
	defer func() {
		if err := solver.CleanUp(ctx, chal); err != nil {
			log.Printf("[ERROR] cleaning up solver: identifier=%s challenge_type=%s: %v", chal.Identifier, chal.Type, err)
		}
	}()
	return solver.Wait(ctx, chal)
}

// obtainOnDemand bounds an on-demand certificate operation (certmagic uses 180s).
func obtainOnDemand(ctx context.Context, solver *DNS01Solver, chal Challenge) error {
	ctx, cancel := context.WithTimeout(ctx, 180*time.Second)
	defer cancel()
	return solveChallenges(ctx, solver, chal)
}
