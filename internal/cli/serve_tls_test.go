package cli

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ferry.dev/ferry/internal/scaffold"
	"ferry.dev/ferry/internal/testenv"
)

// TestServeTLS: ferry serve --tls-cert/--tls-key answers HTTPS only, the
// API with a token of ferry token create; the flags go together and a
// broken pair is a usage error.
func TestServeTLS(t *testing.T) {
	testenv.GitIsolate(t)
	remote := testenv.GitRemote(t)
	work := filepath.Join(t.TempDir(), "platform")
	repo, err := scaffold.Init(context.Background(), work, false)
	if err != nil {
		t.Fatal(err)
	}
	yaml := filepath.Join(work, "ferry.yaml")
	b, _ := os.ReadFile(yaml)
	os.WriteFile(yaml, []byte(strings.ReplaceAll(string(b), "autoSync: true", "autoSync: false")), 0o644)
	testenv.GitRun(t, work, "commit", "-q", "-am", "chore: no auto sync")
	for _, l := range repo.Lanes {
		if l != repo.Branch {
			testenv.GitRun(t, work, "branch", "-f", l, "HEAD")
		}
	}
	testenv.GitRun(t, work, "remote", "add", "origin", remote)
	testenv.GitRun(t, work, "push", "-q", "origin", "--all")
	cert, key, pool := selfSigned(t)
	run := func(ctx context.Context, args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := Run(ctx, append(args, "--repo", work), Streams{In: strings.NewReader(""), Out: &out, Err: &errb})
		return code, out.String(), errb.String()
	}
	if code, _, errs := run(context.Background(), "serve", "--tls-cert", cert); code != ExitUsage || !strings.Contains(errs, "go together") {
		t.Fatalf("--tls-cert alone: exit %d %s", code, errs)
	}
	if code, _, errs := run(context.Background(), "serve", "--tls-cert", key, "--tls-key", key); code != ExitUsage || !strings.Contains(errs, "load TLS key pair") {
		t.Fatalf("a broken pair: exit %d %s", code, errs)
	}
	var port int
	code, out, errs := run(context.Background(), "token", "create", "ana", "--role", "viewer", "-o", "json")
	var made struct{ Token string }
	if code != ExitOK || json.Unmarshal([]byte(out), &made) != nil || made.Token == "" {
		t.Fatalf("token create: exit %d %s %s", code, out, errs)
	}
	port, err = testenv.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	ctx, cancel := context.WithCancel(context.Background())
	exit := make(chan int, 1)
	serr := &testenv.SyncBuffer{}
	go func() {
		var o bytes.Buffer
		exit <- Run(ctx, []string{"serve", "--repo", work, "--listen", addr, "--tls-cert", cert, "--tls-key", key,
			"--poll-interval", "1h", "--no-watch"}, Streams{In: strings.NewReader(""), Out: &o, Err: serr})
	}()
	defer func() {
		cancel()
		if code := <-exit; code != ExitOK {
			t.Errorf("serve exit %d:\n%s", code, serr.String())
		}
	}()
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	call := func(url, token string) int {
		req, _ := http.NewRequest("GET", url, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := client.Do(req)
		if err != nil {
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	deadline := time.Now().Add(30 * time.Second)
	for call("https://"+addr+"/readyz", "") != http.StatusOK {
		if time.Now().After(deadline) {
			t.Fatalf("https readyz never ready:\n%s", serr.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	if code := call("https://"+addr+"/api/v1/whoami", made.Token); code != http.StatusOK {
		t.Fatalf("whoami over https: %d", code)
	}
	if code := call("https://"+addr+"/api/v1/whoami", ""); code != http.StatusUnauthorized {
		t.Fatalf("whoami without a token: %d", code)
	}
	// The CLI through --server: the system's roots do not know this
	// certificate; --ca-file trusts it; a file without a certificate is a
	// usage error.
	tokFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokFile, []byte(made.Token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	viaServer := []string{"--server", "https://" + addr, "--token-file", tokFile, "status", "-o", "json"}
	if code, _, errs := run(context.Background(), viaServer...); code != ExitProblem || !strings.Contains(errs, "certificate") || !strings.Contains(errs, "Try: --ca-file") {
		t.Fatalf("--server without --ca-file: exit %d %s", code, errs)
	}
	if code, out, errs := run(context.Background(), append(viaServer, "--ca-file", cert)...); code != ExitOK || !strings.Contains(out, `"dev"`) {
		t.Fatalf("--server --ca-file: exit %d %s %s", code, out, errs)
	}
	if code, _, errs := run(context.Background(), append(viaServer, "--ca-file", key)...); code != ExitUsage || !strings.Contains(errs, "no PEM certificate") {
		t.Fatalf("--ca-file with a key, not a certificate: exit %d %s", code, errs)
	}
	if resp, err := http.Get("http://" + addr + "/healthz"); err == nil {
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			t.Fatal("plain HTTP answered on the TLS listener")
		}
	}
}

// selfSigned writes a certificate for 127.0.0.1 and its key, and returns
// their paths and a pool trusting it.
func selfSigned(t *testing.T) (cert, key string, pool *x509.CertPool) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "ferry test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, IsCA: true,
		BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cert, key = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(key, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600); err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(c)
	return cert, key, pool
}
