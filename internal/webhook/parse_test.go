package webhook

import (
	"slices"
	"strings"
	"testing"
)

func TestValidRef(t *testing.T) {
	t.Parallel()
	tests := []struct {
		ref  string
		want bool
	}{
		{"refs/heads/main", true},
		{"refs/tags/v1.0.0", true},
		{"refs/heads/feature/ünïcode", true},
		{"refs/", false},
		{"main", false},
		{"heads/main", false},
		{"Refs/heads/main", false},
		{"refs/heads/a b", false},
		{"refs/heads/a\nb", false},
		{"refs/heads/a\x00", false},
		{"refs/heads/a\tb", false},
		{"refs/heads/\x7f", false},
		{"refs/heads/\xff", false},
		{"refs/heads/\u2028", false},
		{"refs/heads/" + strings.Repeat("x", maxRefLen-len("refs/heads/")), true},
		{"refs/heads/" + strings.Repeat("x", maxRefLen), false},
	}
	for _, tc := range tests {
		if got := validRef(tc.ref); got != tc.want {
			t.Errorf("validRef(%q) = %v, want %v", tc.ref, got, tc.want)
		}
	}
}

func TestCleanRefsKeepsOrderOnce(t *testing.T) {
	t.Parallel()
	got := cleanRefs("refs/heads/b", "x", "refs/heads/a", "refs/heads/b")
	if want := []string{"refs/heads/b", "refs/heads/a"}; !slices.Equal(got, want) {
		t.Fatalf("cleanRefs = %q, want %q", got, want)
	}
}

func TestParsersOnSamples(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		parse    func([]byte) ([]string, string, error)
		body     string
		wantRefs []string
		wantRepo string
		wantErr  bool
	}{
		{"github", parseGitHub, `{"ref":"refs/heads/x","repository":{"full_name":"o/r"}}`, []string{"refs/heads/x"}, "o/r", false},
		{"github null repository", parseGitHub, `{"ref":"refs/heads/x","repository":null}`, []string{"refs/heads/x"}, "", false},
		{"github control char in repo", parseGitHub, `{"ref":"refs/heads/x","repository":{"full_name":"o/r\n"}}`, []string{"refs/heads/x"}, "", false},
		{"github not an object", parseGitHub, `"refs/heads/x"`, nil, "", true},
		{"github null", parseGitHub, `null`, nil, "", true},
		{"github trailing data", parseGitHub, `{"ref":"refs/heads/x"} {}`, nil, "", true},
		{"gitea", parseGitea, `{"ref":"refs/tags/v1","repository":{"full_name":"o/r"}}`, []string{"refs/tags/v1"}, "o/r", false},
		{"gitlab repo fallback", parseGitLab, `{"ref":"refs/heads/x","repository":{"name":"R"}}`, []string{"refs/heads/x"}, "R", false},
		{"bitbucket ref.id wins over refId", parseBitbucket, `{"changes":[{"ref":{"id":"refs/heads/a"},"refId":"refs/heads/b"}]}`, []string{"refs/heads/a"}, "", false},
		{"bitbucket no changes", parseBitbucket, `{"changes":[]}`, nil, "", false},
		{"generic every lane", parseGeneric, " \n", nil, "", false},
		{"generic ref and refs", parseGeneric, `{"ref":"refs/heads/a","refs":["refs/heads/b"],"repository":{"full_name":"o/r"}}`, []string{"refs/heads/a", "refs/heads/b"}, "o/r", false},
		{"generic null is not an object", parseGeneric, `null`, nil, "", true},
		{"generic invalid refs only", parseGeneric, `{"refs":["main",""]}`, nil, "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			refs, repo, err := tc.parse([]byte(tc.body))
			if (err != nil) != tc.wantErr || !slices.Equal(refs, tc.wantRefs) || repo != tc.wantRepo {
				t.Fatalf("parse = %q, %q, %v; want %q, %q, error %v", refs, repo, err, tc.wantRefs, tc.wantRepo, tc.wantErr)
			}
		})
	}
}
