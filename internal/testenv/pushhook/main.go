// Command pushhook is the post-receive hook that testenv.InstallPushHook
// installs into a bare repository: for each ref a push updated it POSTs a
// push payload, signed with the shared secret, with the headers a Git host
// would send, so tests drive ferry's webhook receiver the way GitHub,
// GitLab, Gitea or Bitbucket would.
//
// Usage (from the hook script; git writes "old new ref" lines to stdin):
//
//	pushhook --url URL --provider github|gitlab|gitea|bitbucket|generic --secret-file FILE --repo NAME
//
// The secret is read from a file, never from the command line. Every POST
// is synchronous with a 5 s timeout, so the push returns after the hook
// delivered. A delivery that fails is reported on stderr (the pusher sees it
// as "remote: ...") and the hook still exits 0: a webhook must not fail a
// push.
package main

import (
	"bufio"
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"
)

func main() {
	if err := run(os.Args[1:], os.Stdin); err != nil {
		fmt.Fprintf(os.Stderr, "pushhook: %v\n", err)
	}
}

type options struct {
	url, provider, secretFile, repo string
}

func parseFlags(args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet("pushhook", flag.ContinueOnError)
	fs.StringVar(&o.url, "url", "", "webhook URL to POST to")
	fs.StringVar(&o.provider, "provider", "github", "header set: github, gitlab, gitea, bitbucket, generic")
	fs.StringVar(&o.secretFile, "secret-file", "", "file holding the shared secret")
	fs.StringVar(&o.repo, "repo", "", "repository name for the payload")
	if err := fs.Parse(args); err != nil {
		return o, fmt.Errorf("parse flags: %w", err)
	}
	if o.url == "" || o.secretFile == "" {
		return o, errors.New("parse flags: --url and --secret-file are required")
	}
	if _, ok := signers[o.provider]; !ok {
		return o, fmt.Errorf("parse flags: unknown provider %q", o.provider)
	}
	return o, nil
}

func run(args []string, stdin io.Reader) error {
	o, err := parseFlags(args)
	if err != nil {
		return err
	}
	secret, err := os.ReadFile(o.secretFile)
	if err != nil {
		return fmt.Errorf("read secret file: %w", err)
	}
	client := &http.Client{Timeout: 5 * time.Second}
	var errs []error
	sc := bufio.NewScanner(stdin)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 3 {
			errs = append(errs, fmt.Errorf("read update line %q: want \"old new ref\"", sc.Text()))
			continue
		}
		u := update{old: f[0], new: f[1], ref: f[2], repo: o.repo}
		if err := post(client, o, secret, u); err != nil {
			errs = append(errs, fmt.Errorf("post %s: %w", u.ref, err))
		}
	}
	if err := sc.Err(); err != nil {
		errs = append(errs, fmt.Errorf("read updates: %w", err))
	}
	return errors.Join(errs...)
}

// update is one line of post-receive's stdin.
type update struct{ old, new, ref, repo string }

func post(client *http.Client, o options, secret []byte, u update) error {
	body, hdr, err := signers[o.provider](u, secret, deliveryID())
	if err != nil {
		return err
	}
	req, err := http.NewRequest(http.MethodPost, o.url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("build request: %w", err)
	}
	req.Header = hdr
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "ferry-testenv-pushhook")
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("send request: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("send request: status %s", resp.Status)
	}
	return nil
}

// signer builds the body and headers of one provider's push delivery.
type signer func(u update, secret []byte, id string) ([]byte, http.Header, error)

var signers = map[string]signer{
	"github": func(u update, secret []byte, id string) ([]byte, http.Header, error) {
		body, err := json.Marshal(githubPayload(u))
		return body, http.Header{
			"X-Github-Event":      {"push"},
			"X-Github-Delivery":   {id},
			"X-Hub-Signature-256": {"sha256=" + hexHMAC(secret, body)},
		}, err
	},
	"gitea": func(u update, secret []byte, id string) ([]byte, http.Header, error) {
		body, err := json.Marshal(githubPayload(u))
		return body, http.Header{
			"X-Gitea-Event":     {"push"},
			"X-Gitea-Delivery":  {id},
			"X-Gitea-Signature": {hexHMAC(secret, body)},
		}, err
	},
	"generic": func(u update, secret []byte, id string) ([]byte, http.Header, error) {
		body, err := json.Marshal(githubPayload(u))
		return body, http.Header{
			"X-Delivery":  {id},
			"X-Signature": {"sha256=" + hexHMAC(secret, body)},
		}, err
	},
	"gitlab": func(u update, secret []byte, id string) ([]byte, http.Header, error) {
		p, event := githubPayload(u), "Push Hook"
		p["object_kind"] = "push"
		if strings.HasPrefix(u.ref, "refs/tags/") {
			p["object_kind"], event = "tag_push", "Tag Push Hook"
		}
		p["project"] = map[string]string{"path_with_namespace": u.repo}
		body, err := json.Marshal(p)
		return body, http.Header{
			"X-Gitlab-Event":      {event},
			"X-Gitlab-Event-Uuid": {id},
			"Idempotency-Key":     {id},
			"X-Gitlab-Token":      {string(secret)},
		}, err
	},
	"bitbucket": func(u update, secret []byte, id string) ([]byte, http.Header, error) {
		body, err := json.Marshal(map[string]any{
			"eventKey":   "repo:refs_changed",
			"repository": map[string]string{"slug": u.repo},
			"changes": []map[string]any{{
				"ref": map[string]string{"id": u.ref}, "refId": u.ref,
				"fromHash": u.old, "toHash": u.new, "type": changeType(u),
			}},
		})
		return body, http.Header{
			"X-Event-Key":     {"repo:refs_changed"},
			"X-Request-Id":    {id},
			"X-Hub-Signature": {"sha256=" + hexHMAC(secret, body)},
		}, err
	},
}

func githubPayload(u update) map[string]any {
	return map[string]any{
		"ref": u.ref, "before": u.old, "after": u.new,
		"repository": map[string]string{"full_name": u.repo},
	}
}

func changeType(u update) string {
	switch {
	case strings.Trim(u.old, "0") == "":
		return "ADD"
	case strings.Trim(u.new, "0") == "":
		return "DELETE"
	}
	return "UPDATE"
}

func hexHMAC(secret, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// deliveryID returns a random UUID, as hosts send.
func deliveryID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
