// Recall case cc-kratos-postpersist
// Source: github.com/ory/kratos commit 18056a0f1cfdf42769e5a974b2526ccf5c608cc2 (selfservice/flow/registration/hook.go)
// Link: https://github.com/ory/kratos/pull/4148
// Bug: after the identity has been irrevocably created, the session upsert, post-persist hooks (webhooks) and Hydra login accept still run on the request context, so a client disconnect/timeout cancels them and leaves an identity without its session or completed hooks.
// Fix: right after IdentityManager().Create succeeds, ctx is replaced by context.WithoutCancel(ctx) (and r by r.WithContext(ctx)) so the remaining post-persist work cannot be cancelled by the client.
// Rule: cleanupctx
package registration

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"
)

var ErrHookAbortFlow = errors.New("aborted registration hook execution")

type CredentialsType string

type Identity struct {
	ID     string
	Traits json.RawMessage
}

type Session struct {
	ID              string
	IdentityID      string
	AuthenticatedAt time.Time
	AMR             []string
}

type Flow struct {
	ReturnTo             string
	OAuth2LoginChallenge string
}

type PostHookPostPersistExecutor interface {
	ExecutePostRegistrationPostPersistHook(w http.ResponseWriter, r *http.Request, a *Flow, s *Session) error
}

// IdentityManager persists identities.
type IdentityManager struct{ db *sql.DB }

func (m *IdentityManager) Create(ctx context.Context, i *Identity) error {
	_, err := m.db.ExecContext(ctx, "INSERT INTO identities (id, traits) VALUES ($1, $2)", i.ID, []byte(i.Traits))
	return err
}

// SessionPersister persists sessions.
type SessionPersister struct{ db *sql.DB }

func (p *SessionPersister) UpsertSession(ctx context.Context, s *Session) error {
	_, err := p.db.ExecContext(ctx, "INSERT INTO sessions (id, identity_id, authenticated_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO UPDATE SET authenticated_at = $3", s.ID, s.IdentityID, s.AuthenticatedAt)
	return err
}

// WebHook is a post-persist hook executor (selfservice/hook/web_hook.go).
type WebHook struct {
	url    string
	client *http.Client
}

func (e *WebHook) ExecutePostRegistrationPostPersistHook(_ http.ResponseWriter, req *http.Request, _ *Flow, s *Session) error {
	return e.execute(req.Context(), s)
}

func (e *WebHook) execute(ctx context.Context, s *Session) error {
	body, _ := json.Marshal(map[string]string{"identity_id": s.IdentityID, "session_id": s.ID})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	resp, err := e.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 400 {
		return fmt.Errorf("webhook responded with status %d", resp.StatusCode)
	}
	return nil
}

// HydraClient accepts OAuth2 login requests at Ory Hydra.
type HydraClient struct {
	adminURL string
	client   *http.Client
}

func (h *HydraClient) AcceptLoginRequest(ctx context.Context, challenge, subject, sessionID string) (string, error) {
	body, _ := json.Marshal(map[string]string{"subject": subject, "session_id": sessionID})
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, h.adminURL+"/admin/oauth2/auth/requests/login/accept?login_challenge="+challenge, bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	resp, err := h.client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var out struct {
		RedirectTo string `json:"redirect_to"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return "", err
	}
	return out.RedirectTo, nil
}

type executorDependencies interface {
	IdentityManager() *IdentityManager
	SessionPersister() *SessionPersister
	PostRegistrationPostPersistHooks(ctx context.Context, credentialsType CredentialsType) []PostHookPostPersistExecutor
	Hydra() *HydraClient
	SelfServiceBrowserDefaultReturnTo(ctx context.Context) string
}

type HookExecutor struct {
	d executorDependencies
}

func NewHookExecutor(d executorDependencies) *HookExecutor {
	return &HookExecutor{d: d}
}

func (e *HookExecutor) PostRegistrationHook(w http.ResponseWriter, r *http.Request, ct CredentialsType, registrationFlow *Flow, i *Identity) (err error) {
	ctx := r.Context()
	r = r.WithContext(ctx)

	// We're now creating the identity because any of the hooks could trigger a "redirect" or a "session" which
	// would imply that the identity has to exist already.
	if err := e.d.IdentityManager().Create(ctx, i); err != nil {
		return err
	}

	// At this point the identity is already created and will not be rolled back, so
	// we want all PostPersist hooks to be able to continue even when the client cancels the request.
	ctx = context.WithoutCancel(ctx)
	r = r.WithContext(ctx)

	// Verify the redirect URL before we do any other processing.
	returnTo := registrationFlow.ReturnTo
	if returnTo == "" {
		returnTo = e.d.SelfServiceBrowserDefaultReturnTo(ctx)
	}

	s := &Session{ID: fmt.Sprintf("%s-session", i.ID), IdentityID: i.ID, AMR: []string{string(ct)}}

	// We persist the session here so that subsequent hooks (like verification) can use it.
	s.AuthenticatedAt = time.Now().UTC()
	if err := e.d.SessionPersister().UpsertSession(ctx, s); err != nil {
		return err
	}

	for _, executor := range e.d.PostRegistrationPostPersistHooks(ctx, ct) {
		if err := executor.ExecutePostRegistrationPostPersistHook(w, r, registrationFlow, s); err != nil {
			if errors.Is(err, ErrHookAbortFlow) {
				return nil
			}
			return err
		}
	}

	finalReturnTo := returnTo
	if registrationFlow.OAuth2LoginChallenge != "" {
		callbackURL, err := e.d.Hydra().AcceptLoginRequest(ctx,
			registrationFlow.OAuth2LoginChallenge, i.ID, s.ID)
		if err != nil {
			return err
		}
		finalReturnTo = callbackURL
	}

	http.Redirect(w, r, finalReturnTo, http.StatusSeeOther)
	return nil
}
