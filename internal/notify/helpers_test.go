package notify

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ferry.dev/ferry/internal/platform"
	"ferry.dev/ferry/internal/store"
)

const header = "apiVersion: ferry.dev/v1alpha1\nkind: Platform\nmetadata:\n  name: demo\nspec:\n  notifications:\n"

// testPlatform parses a platform whose notifications section is sinks
// and rules (YAML lists, indented under it).
func testPlatform(t *testing.T, sinks, rules string) *platform.Platform {
	t.Helper()
	p, err := platform.Parse([]byte(header+"    sinks:\n"+sinks+"    rules:\n"+rules), platform.FileName, "")
	if err != nil {
		t.Fatalf("parse test platform: %v", err)
	}
	return p
}

// secretFile writes a secret into a file of its own, the way a mounted
// secret arrives (files, not env vars, so the tests can run in parallel).
func secretFile(t *testing.T, value string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(path, []byte(value+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// openStore is a real SQLite store in a temp dir.
func openStore(t *testing.T) store.Store {
	t.Helper()
	st, err := store.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// fast is a dispatcher on st that retries quickly.
func fast(st store.Store, attempts int) *Dispatcher {
	return New(Options{Store: st, Attempts: attempts, Backoff: 5 * time.Millisecond, MaxBackoff: 20 * time.Millisecond})
}

// records lists the store's notification events of kind, oldest first,
// decoded.
func records(t *testing.T, st store.Store, kind string) []record {
	t.Helper()
	evs, err := st.Events(context.Background(), store.EventFilter{Kind: kind})
	if err != nil {
		t.Fatal(err)
	}
	out := make([]record, len(evs))
	for i, e := range evs {
		if err := json.Unmarshal([]byte(e.Data), &out[len(evs)-1-i]); err != nil {
			t.Fatalf("event data %s: %v", e.Data, err)
		}
	}
	return out
}

// assertNoSecret fails when any event in st carries one of the secrets.
func assertNoSecret(t *testing.T, st store.Store, secrets ...string) {
	t.Helper()
	evs, err := st.Events(context.Background(), store.EventFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range evs {
		for _, s := range secrets {
			if strings.Contains(e.Message+e.Data, s) {
				t.Errorf("event %s carries a secret: %s %s", e.Kind, e.Message, e.Data)
			}
		}
	}
}

func deployed(env, rev string) Event {
	return Event{Trigger: platform.OnDeployed, Env: env, Revision: rev, Deployment: 7, Message: "synced " + env}
}
