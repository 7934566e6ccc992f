package server_test

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"

	"ferry.dev/ferry/internal/catalog"
	"ferry.dev/ferry/internal/platform"
)

// TestCatalogAPI: GET /api/v1/catalog answers, as YAML, exactly what
// ferry catalog writes in a clone at the first lane's head; an unchanged
// head answers If-None-Match with 304; a new head a new catalog.
func TestCatalogAPI(t *testing.T) {
	f := newAPIFixture(t, fixtureOptions{})
	get := func(etag string) (*http.Response, []byte) {
		t.Helper()
		req, err := http.NewRequest("GET", f.srv.URL+"/api/v1/catalog", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+f.tokens["viewer"])
		if etag != "" {
			req.Header.Set("If-None-Match", etag)
		}
		resp, err := f.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, b
	}
	want := func() []byte {
		t.Helper()
		f.git("checkout", "-q", "develop")
		p, err := platform.Load(f.work)
		if err != nil {
			t.Fatal(err)
		}
		es, err := catalog.Build(t.Context(), p, f.work)
		if err != nil {
			t.Fatal(err)
		}
		b, err := catalog.Marshal(es)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}

	resp, body := get("")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/yaml" {
		t.Fatalf("GET /api/v1/catalog = %d %s: %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	if w := want(); !bytes.Equal(body, w) {
		t.Fatalf("the API's catalog differs from ferry catalog's:\n%s\n---\n%s", body, w)
	}
	etag := resp.Header.Get("ETag")
	if resp, body := get(etag); resp.StatusCode != http.StatusNotModified || len(body) != 0 || etag == "" {
		t.Fatalf("If-None-Match %s = %d %q, want 304", etag, resp.StatusCode, body)
	}

	// A new head of develop: a new catalog and a new ETag.
	yaml := strings.Replace(f.git("show", "develop:ferry.yaml"), "      path: apps/web\n",
		"      path: apps/web\n      description: The web shop.\n      lifecycle: experimental\n", 1)
	f.commitOn("develop", "ferry.yaml", yaml+"\n", "docs: describe web")
	resp, body = get(etag)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("ETag") == etag {
		t.Fatalf("after a new head: %d, ETag %s (was %s)", resp.StatusCode, resp.Header.Get("ETag"), etag)
	}
	if !bytes.Contains(body, []byte("description: The web shop.")) || !bytes.Contains(body, []byte("lifecycle: experimental")) {
		t.Fatalf("the new head's catalog:\n%s", body)
	}
	if w := want(); !bytes.Equal(body, w) {
		t.Fatalf("after the new head, the API's catalog differs from ferry catalog's:\n%s\n---\n%s", body, w)
	}
}
