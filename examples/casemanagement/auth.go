package main

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/go-jose/go-jose/v4"
)

// Identity is who a request comes from, as its credential says: the actor
// recorded on every act, the agency they act for, and the roles they hold.
// Nothing in a request's body or query can change it.
type Identity struct {
	Actor  string   `json:"actor"`
	Agency string   `json:"agency,omitempty"`
	Roles  []string `json:"roles"`
}

// Holds says whether the identity holds a role.
func (id Identity) Holds(role string) bool { return slices.Contains(id.Roles, role) }

// check refuses an identity a record could not carry as it is: no actor, or
// a value with control or bidi characters (which would let a name display
// as another in the record).
func (id Identity) check() error {
	if id.Actor == "" {
		return errors.New("it names no actor")
	}
	fields := map[string]string{"actor": id.Actor, "agency": id.Agency}
	for i, r := range id.Roles {
		fields[fmt.Sprintf("roles[%d]", i)] = r
	}
	for name, v := range fields {
		if err := checkIdentifier(v); err != nil {
			return fmt.Errorf("its %s %v", name, err)
		}
	}
	return nil
}

// errUnauthenticated: the request carries no credential, or one that does
// not verify. The API answers 401 with WWW-Authenticate.
var errUnauthenticated = errors.New("unauthenticated")

// Authenticator turns a bearer token into the identity it vouches for, or an
// error wrapping errUnauthenticated.
type Authenticator interface {
	Authenticate(ctx context.Context, token string) (Identity, error)
}

// TokenFile is an Authenticator for local use: a JSON file mapping opaque
// bearer tokens to identities,
//
//	{"dev-asha": {"actor": "asha", "agency": "school", "roles": ["practitioner"]}}
//
// Only the tokens' SHA-256 digests are kept, and a token is looked up by its
// digest, so the time a lookup takes says nothing about the tokens held.
type TokenFile struct {
	ids map[[sha256.Size]byte]Identity
}

// LoadTokenFile reads a token file, refusing duplicate tokens, unknown
// fields and identities with no actor or with control or bidi characters.
func LoadTokenFile(path string) (*TokenFile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var tokens map[string]Identity
	if err := strictJSON(data, &tokens); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	tf, err := NewTokenFile(tokens)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return tf, nil
}

// NewTokenFile is a TokenFile of the tokens given.
func NewTokenFile(tokens map[string]Identity) (*TokenFile, error) {
	tf := &TokenFile{ids: make(map[[sha256.Size]byte]Identity, len(tokens))}
	for token, id := range tokens {
		if len(token) < 8 {
			return nil, fmt.Errorf("the token for %q is shorter than 8 characters", id.Actor)
		}
		if err := id.check(); err != nil {
			return nil, fmt.Errorf("the identity of a token: %w", err)
		}
		tf.ids[sha256.Sum256([]byte(token))] = id
	}
	return tf, nil
}

// Authenticate looks the token up.
func (tf *TokenFile) Authenticate(_ context.Context, token string) (Identity, error) {
	id, ok := tf.ids[sha256.Sum256([]byte(token))]
	if !ok {
		return Identity{}, fmt.Errorf("%w: the token is not one the service knows", errUnauthenticated)
	}
	return id, nil
}

// OIDC is an Authenticator for a real deployment: bearer tokens are JWTs that
// the authority's identity provider signs. go-oidc checks the signature
// against the provider's published keys (fetched by discovery and refetched
// when the provider rotates them) or against keys configured in a file, and
// checks the issuer, the audience (this service), the expiry and not-before,
// and the signing algorithm. The claims it reads:
//
//	sub     the actor recorded on each act
//	agency  the agency the actor acts for (a custom claim)
//	roles   the roles the actor holds (Entra ID's app roles use this name)
type OIDC struct {
	verifier *oidc.IDTokenVerifier
}

// NewOIDC verifies tokens issued by issuer for audience. With keysFile (a
// JSON Web Key Set), tokens are checked against those keys only and the
// provider is never contacted; without it, the provider's discovery document
// at issuer names the keys, which are fetched as needed.
func NewOIDC(ctx context.Context, issuer, audience, keysFile string) (*OIDC, error) {
	if issuer == "" || audience == "" {
		return nil, errors.New("OIDC needs an issuer and an audience")
	}
	cfg := &oidc.Config{ClientID: audience}
	if keysFile == "" {
		p, err := oidc.NewProvider(ctx, issuer)
		if err != nil {
			return nil, fmt.Errorf("discovering the identity provider %s: %w", issuer, err)
		}
		return &OIDC{verifier: p.VerifierContext(context.WithoutCancel(ctx), cfg)}, nil
	}
	data, err := os.ReadFile(keysFile)
	if err != nil {
		return nil, err
	}
	var set jose.JSONWebKeySet
	if err := strictJSON(data, &set); err != nil {
		return nil, fmt.Errorf("%s: %w", keysFile, err)
	}
	keys := &oidc.StaticKeySet{}
	for i, k := range set.Keys {
		if !k.Valid() || !k.IsPublic() {
			return nil, fmt.Errorf("%s: key %d is not a valid public key", keysFile, i)
		}
		keys.PublicKeys = append(keys.PublicKeys, k.Key)
		if k.Algorithm != "" && !slices.Contains(cfg.SupportedSigningAlgs, k.Algorithm) {
			cfg.SupportedSigningAlgs = append(cfg.SupportedSigningAlgs, k.Algorithm)
		}
	}
	if len(keys.PublicKeys) == 0 {
		return nil, fmt.Errorf("%s: no keys", keysFile)
	}
	return &OIDC{verifier: oidc.NewVerifier(issuer, keys, cfg)}, nil
}

// Authenticate verifies the token and reads the identity from its claims.
func (o *OIDC) Authenticate(ctx context.Context, token string) (Identity, error) {
	t, err := o.verifier.Verify(ctx, token)
	if err != nil {
		// go-oidc's message says what failed (expired, wrong audience, bad
		// signature); it holds no claim value beyond issuer and audience.
		return Identity{}, fmt.Errorf("%w: %s", errUnauthenticated, strings.TrimPrefix(err.Error(), "oidc: "))
	}
	var claims struct {
		Agency string   `json:"agency"`
		Roles  []string `json:"roles"`
	}
	if err := t.Claims(&claims); err != nil {
		return Identity{}, fmt.Errorf("%w: the token's claims: %v", errUnauthenticated, err)
	}
	id := Identity{Actor: t.Subject, Agency: claims.Agency, Roles: claims.Roles}
	if err := id.check(); err != nil {
		return Identity{}, fmt.Errorf("%w: the token's identity: %v", errUnauthenticated, err)
	}
	return id, nil
}
