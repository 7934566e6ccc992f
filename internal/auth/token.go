package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
)

// TokenPrefix starts every token, so a leaked one is recognisable (secret
// scanners, logs) and a pasted password is not mistaken for one.
const TokenPrefix = "ferry_"

// tokenBytes of randomness: 256 bits.
const tokenBytes = 32

// NewToken returns a new random token and the hash the store keeps.
func NewToken() (token, hash string, err error) {
	b := make([]byte, tokenBytes)
	if _, err := rand.Read(b); err != nil {
		return "", "", fmt.Errorf("new token: %w", err)
	}
	token = TokenPrefix + base64.RawURLEncoding.EncodeToString(b)
	return token, Hash(token), nil
}

// Hash is the stored form of a token: SHA-256, hex. A fast hash is right
// here, unlike for passwords: a token carries 256 random bits, so nobody
// can search the preimage of a leaked hash, and a slow KDF (bcrypt,
// argon2) would only cost every API request milliseconds. It also lets the
// store find a token by an indexed lookup of its hash.
func Hash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// sameHash compares two hashes in constant time.
func sameHash(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// wellFormed says whether s can be a token at all (prefix, length,
// alphabet), so garbage never reaches the store.
func wellFormed(s string) bool {
	body, ok := strings.CutPrefix(s, TokenPrefix)
	if !ok || len(body) != base64.RawURLEncoding.EncodedLen(tokenBytes) {
		return false
	}
	for _, r := range body {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}
