package store

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestStatements(t *testing.T) {
	t.Parallel()
	src := "-- comment;\nCREATE TABLE a (x TEXT DEFAULT ';');\n\n-- c\nCREATE INDEX i ON a (x);\nSELECT 1"
	got := statements(src)
	want := []string{"CREATE TABLE a (x TEXT DEFAULT ';');", "CREATE INDEX i ON a (x);", "SELECT 1"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("statements = %q, want %q", got, want)
	}
}

func TestDialectQuery(t *testing.T) {
	t.Parallel()
	q := "SELECT a FROM t WHERE b = ? AND c > ?"
	if got := sqliteDialect.q(q); got != q {
		t.Errorf("sqlite q = %q", got)
	}
	if got, want := postgresDialect.q(q), "SELECT a FROM t WHERE b = $1 AND c > $2"; got != want {
		t.Errorf("postgres q = %q, want %q", got, want)
	}
}

func TestMigrationsRender(t *testing.T) {
	t.Parallel()
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) == 0 || ms[0].version != 1 {
		t.Fatalf("migrations = %+v", ms)
	}
	for _, d := range []dialect{sqliteDialect, postgresDialect} {
		for _, m := range ms {
			if s := d.schema(m.sql); strings.Contains(s, "{{") {
				t.Errorf("%s: migration %d keeps a placeholder", d.name, m.version)
			}
		}
	}
}

// TestTextTimeOrders: SQLite compares instants as text, so the layout must
// order like time does, whatever the fractional digits.
func TestTextTimeOrders(t *testing.T) {
	t.Parallel()
	base := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	ts := []time.Time{base, base.Add(50 * time.Millisecond), base.Add(100 * time.Millisecond),
		base.Add(time.Second), base.Add(time.Second + time.Microsecond)}
	for i := 1; i < len(ts); i++ {
		a, b := sqliteDialect.t(ts[i-1]).(string), sqliteDialect.t(ts[i]).(string)
		if a >= b {
			t.Errorf("%s sorts after %s", a, b)
		}
	}
	var n nullTime
	if err := n.Scan(sqliteDialect.t(ts[4])); err != nil || !n.Time.Equal(ts[4]) {
		t.Fatalf("scan back = %v, %v", n.Time, err)
	}
}
