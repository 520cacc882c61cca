package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/coreos/go-oidc/v3/oidc/oidctest"
	"github.com/go-jose/go-jose/v4"
)

// An identity provider on loopback (go-oidc's test server: discovery and
// keys), and tokens it signs, as the service checks them through discovery
// and through a key file. Every way a token can be wrong is 401.
func TestOIDCBearerTokens(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	other, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	idp := &oidctest.Server{
		PublicKeys: []oidctest.PublicKey{{PublicKey: key.Public(), KeyID: "k1", Algorithm: oidc.ES256}},
		Algorithms: []string{oidc.ES256},
	}
	srv := httptest.NewServer(idp)
	defer srv.Close()
	idp.SetIssuer(srv.URL)

	jwks, err := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: key.Public(), KeyID: "k1", Algorithm: oidc.ES256, Use: "sig"}}})
	if err != nil {
		t.Fatal(err)
	}
	keysFile := filepath.Join(t.TempDir(), "jwks.json")
	if err := os.WriteFile(keysFile, jwks, 0o600); err != nil {
		t.Fatal(err)
	}

	discovered, err := NewOIDC(t.Context(), srv.URL, "casemanagement", "")
	if err != nil {
		t.Fatal(err)
	}
	fromFile, err := NewOIDC(t.Context(), srv.URL, "casemanagement", keysFile)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	claims := func(change func(map[string]any)) string {
		c := map[string]any{
			"iss": srv.URL, "aud": "casemanagement", "sub": "lee", "agency": "school", "roles": []string{"line_manager"},
			"iat": now.Unix(), "exp": now.Add(time.Hour).Unix(),
		}
		if change != nil {
			change(c)
		}
		b, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	valid := oidctest.SignIDToken(key, "k1", oidc.ES256, claims(nil))
	for name, auth := range map[string]Authenticator{"discovery": discovered, "key file": fromFile} {
		id, err := auth.Authenticate(t.Context(), valid)
		if err != nil || id.Actor != "lee" || id.Agency != "school" || strings.Join(id.Roles, ",") != "line_manager" {
			t.Errorf("%s: a valid token gives %+v, %v", name, id, err)
		}
		for _, tc := range []struct {
			name, token, says string
		}{
			{"expired", oidctest.SignIDToken(key, "k1", oidc.ES256, claims(func(c map[string]any) { c["exp"] = now.Add(-time.Minute).Unix() })), "expired"},
			{"for another audience", oidctest.SignIDToken(key, "k1", oidc.ES256, claims(func(c map[string]any) { c["aud"] = "another-service" })), "audience"},
			{"from another issuer", oidctest.SignIDToken(key, "k1", oidc.ES256, claims(func(c map[string]any) { c["iss"] = "https://idp.example" })), "issued by a different provider"},
			{"signed with another key", oidctest.SignIDToken(other, "k1", oidc.ES256, claims(nil)), "signature"},
			{"not yet valid", oidctest.SignIDToken(key, "k1", oidc.ES256, claims(func(c map[string]any) { c["nbf"] = now.Add(time.Hour).Unix() })), "nbf"},
			{"unsigned", unsigned(claims(nil)), ""},
			{"with a bidi override in its subject", oidctest.SignIDToken(key, "k1", oidc.ES256, claims(func(c map[string]any) { c["sub"] = "lee\u202e" })), "bidi"},
			{"without a subject", oidctest.SignIDToken(key, "k1", oidc.ES256, claims(func(c map[string]any) { delete(c, "sub") })), "no actor"},
			{"not a JWT", "dev-token-lee", ""},
		} {
			_, err := auth.Authenticate(t.Context(), tc.token)
			if !errors.Is(err, errUnauthenticated) || !strings.Contains(err.Error(), tc.says) {
				t.Errorf("%s: a token %s: %v, want unauthenticated, saying %q", name, tc.name, err, tc.says)
			}
		}
	}

	// Through the API: the identity is the token's.
	h := startServer(t, filepath.Join(t.TempDir(), "cases.db"), func(c *Config, _ *Limits) { c.Auth = discovered })
	status, e, _ := h.rawRequest("GET", "/cases/x", map[string]string{"Authorization": "Bearer " + valid}, "")
	if status != 404 || e.Error.Code != "case_not_found" {
		t.Errorf("a valid token through the API: %d %q", status, e.Error.Code)
	}
	status, e, _ = h.rawRequest("GET", "/cases/x", map[string]string{"Authorization": "Bearer " + unsigned(claims(nil))}, "")
	if status != 401 || e.Error.Code != "unauthenticated" {
		t.Errorf("an unsigned token through the API: %d %q", status, e.Error.Code)
	}
}

// unsigned is a JWT with the "none" algorithm.
func unsigned(claims string) string {
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	return fmt.Sprintf("%s.%s.", enc(`{"alg":"none","typ":"JWT"}`), enc(claims))
}

// The token file refuses what it cannot hold safely.
func TestTokenFile(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct{ name, file, says string }{
		{"a token twice", `{"dev-token-a": {"actor": "a", "roles": []}, "dev-token-a": {"actor": "b", "roles": []}}`, "given twice"},
		{"no actor", `{"dev-token-a": {"roles": ["practitioner"]}}`, "no actor"},
		{"NUL in an agency", `{"dev-token-a": {"actor": "a", "agency": "x\u0000", "roles": []}}`, "control character"},
		{"a short token", `{"abc": {"actor": "a", "roles": []}}`, "shorter than 8"},
		{"an unknown field", `{"dev-token-a": {"actor": "a", "role": "practitioner"}}`, "unknown field"},
	} {
		path := filepath.Join(dir, "tokens.json")
		if err := os.WriteFile(path, []byte(tc.file), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadTokenFile(path); err == nil || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%s: %v, want an error saying %q", tc.name, err, tc.says)
		}
	}
	tf, err := LoadTokenFile("tokens.example.json")
	if err != nil {
		t.Fatal(err)
	}
	if id, err := tf.Authenticate(t.Context(), "dev-token-asha"); err != nil || id.Actor != "asha" || !id.Holds("practitioner") {
		t.Errorf("the example's token for asha: %+v %v", id, err)
	}
}
