package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
)

func TestValidHMAC(t *testing.T) {
	t.Parallel()
	body := []byte(`{"ref":"refs/heads/main"}`)
	sign := func(key []byte) string {
		m := hmac.New(sha256.New, key)
		m.Write(body)
		return hex.EncodeToString(m.Sum(nil))
	}
	good := sign([]byte("k"))
	tests := []struct {
		name   string
		secret string
		sig    string
		prefix string
		want   bool
	}{
		{"good", "k", "sha256=" + good, "sha256=", true},
		{"good upper hex", "k", "sha256=" + strings.ToUpper(good), "sha256=", true},
		{"good no prefix", "k", good, "", true},
		{"wrong key", "other", "sha256=" + good, "sha256=", false},
		{"empty secret, empty-key signature", "", "sha256=" + sign(nil), "sha256=", false},
		{"missing prefix", "k", good, "sha256=", false},
		{"sha1 prefix", "k", "sha1=" + good, "sha256=", false},
		{"truncated", "k", "sha256=" + good[:40], "sha256=", false},
		{"extended", "k", "sha256=" + good + "00", "sha256=", false},
		{"not hex", "k", "sha256=" + strings.Repeat("z", 64), "sha256=", false},
		{"empty", "k", "", "sha256=", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := validHMAC([]byte(tc.secret), body, tc.sig, tc.prefix); got != tc.want {
				t.Fatalf("validHMAC = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestValidToken(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, secret, token string
		want                bool
	}{
		{"equal", "tok", "tok", true},
		{"different", "tok", "tak", false},
		{"prefix", "token", "tok", false},
		{"longer", "tok", "token", false},
		{"both empty", "", "", false},
		{"empty token", "tok", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := validToken([]byte(tc.secret), tc.token); got != tc.want {
				t.Fatalf("validToken(%q, %q) = %v, want %v", tc.secret, tc.token, got, tc.want)
			}
		})
	}
}
