package secrets

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

var wantMarker = regexp.MustCompile(`# want ((?:FERRY-[A-Z0-9]+-\d+\s*)+)`)

func TestRuleFixtures(t *testing.T) {
	t.Parallel()
	for _, r := range Rules() {
		for _, kind := range []string{"fail", "pass"} {
			files, _ := filepath.Glob(filepath.Join("testdata", r.ID, kind, "*"))
			if len(files) == 0 {
				t.Errorf("%s has no %s fixture", r.ID, kind)
			}
			for _, file := range files {
				t.Run(r.ID+"/"+kind+"/"+filepath.Base(file), func(t *testing.T) {
					t.Parallel()
					data, err := os.ReadFile(file)
					if err != nil {
						t.Fatal(err)
					}
					var got, want []string
					for _, f := range Scan(file, data) {
						got = append(got, fmt.Sprintf("%s@%d", f.RuleID, f.Location.Line))
					}
					for i, line := range strings.Split(string(data), "\n") {
						if m := wantMarker.FindStringSubmatch(line); m != nil {
							for _, id := range strings.Fields(m[1]) {
								want = append(want, fmt.Sprintf("%s@%d", id, i+1))
							}
						}
					}
					sort.Strings(got)
					sort.Strings(want)
					if strings.Join(got, " ") != strings.Join(want, " ") {
						t.Errorf("hits = %v, want %v", got, want)
					}
				})
			}
		}
	}
}

// TestNeverEchoesSecret: messages carry at most a 4-character prefix.
func TestNeverEchoesSecret(t *testing.T) {
	t.Parallel()
	secrets := []string{"AKIAZ7QHJ4K2LMN3OPQR", "ghp_4dQv9XbT2mL7kR1sW8yZ3nP6cF0hJ5gE2aVq", "q8Zr!v2Lk9@pW4xN7mT1sB6e"}
	src := fmt.Sprintf("a = %q\nb = %q\npassword = %q\n", secrets[0], secrets[1], secrets[2])
	fs := Scan("x.tf", []byte(src))
	if len(fs) != 3 {
		t.Fatalf("findings = %+v", fs)
	}
	for _, f := range fs {
		for _, s := range secrets {
			if strings.Contains(f.Message, s[4:12]) {
				t.Errorf("message echoes secret: %s", f.Message)
			}
		}
	}
}

func TestEntropy(t *testing.T) {
	t.Parallel()
	if e := entropy("aaaaaaaa"); e != 0 {
		t.Errorf("entropy(aaaa) = %v", e)
	}
	if e := entropy("q8Zr!v2Lk9@pW4xN7mT1sB6e"); e < 4 {
		t.Errorf("entropy(random) = %v", e)
	}
}

func FuzzScan(f *testing.F) {
	f.Add([]byte("password = \"q8Zr!v2Lk9@pW4xN7mT1sB6e\"\nAKIAZ7QHJ4K2LMN3OPQR"))
	f.Add([]byte("-----BEGIN PRIVATE KEY-----"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, fd := range Scan("f", data) {
			if fd.Location.Line < 1 {
				t.Fatalf("bad line %+v", fd)
			}
		}
	})
}
