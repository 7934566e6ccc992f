package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"strings"
)

// validHMAC reports whether sig is prefix followed by the hex HMAC-SHA256 of
// body under secret. It compares with hmac.Equal, so the time it takes says
// nothing about how much of sig was right. An empty secret never verifies:
// there is no unsigned mode.
func validHMAC(secret, body []byte, sig, prefix string) bool {
	if len(secret) == 0 {
		return false
	}
	hexSig, ok := strings.CutPrefix(sig, prefix)
	if !ok {
		return false
	}
	got, err := hex.DecodeString(hexSig)
	if err != nil || len(got) != sha256.Size {
		return false
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	return hmac.Equal(got, mac.Sum(nil))
}

// validToken reports whether token equals secret, for hosts (GitLab) that
// send the secret itself instead of a signature. Both sides are hashed first
// so that the comparison is constant time in their lengths too.
func validToken(secret []byte, token string) bool {
	if len(secret) == 0 || token == "" {
		return false
	}
	want := sha256.Sum256(secret)
	got := sha256.Sum256([]byte(token))
	return subtle.ConstantTimeCompare(got[:], want[:]) == 1
}
