package flow

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestParseVersion(t *testing.T) {
	t.Parallel()
	cases := []struct {
		tag  string
		want string
		rc   int
		err  bool
	}{
		{"v0.1", "0.1.0", 0, false},
		{"v0.1.0", "0.1.0", 0, false},
		{"v1.2.3-rc.4", "1.2.3-rc.4", 4, false},
		{"v10.20.30", "10.20.30", 0, false},
		{"1.2.3", "", 0, true},
		{"v1", "", 0, true},
		{"v01.2.3", "", 0, true},
		{"v1.2.3-", "", 0, true},
		{"v1.2.3.4", "", 0, true},
		{"vx.y.z", "", 0, true},
	}
	for _, c := range cases {
		v, err := ParseVersion("v", c.tag)
		if (err != nil) != c.err {
			t.Errorf("ParseVersion(%q) error = %v, want error %v", c.tag, err, c.err)
			continue
		}
		if err != nil {
			if !errors.Is(err, ErrNotVersion) {
				t.Errorf("ParseVersion(%q) error %v is not ErrNotVersion", c.tag, err)
			}
			continue
		}
		if v.String() != c.want || v.RC() != c.rc {
			t.Errorf("ParseVersion(%q) = %s rc %d, want %s rc %d", c.tag, v, v.RC(), c.want, c.rc)
		}
	}
}

func TestBumps(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		from     string
		subjects []string
		bodies   []string
		want     string
	}{
		{"fix is patch", "1.2.3", []string{"fix: a"}, nil, "1.2.4"},
		{"feat is minor", "1.2.3", []string{"fix: a", "feat(aws): b"}, nil, "1.3.0"},
		{"bang is major", "1.2.3", []string{"feat!: drop v1"}, nil, "2.0.0"},
		{"footer is major", "1.2.3", []string{"refactor: x"}, []string{"BREAKING CHANGE: api gone"}, "2.0.0"},
		{"pre-1.0 breaking is minor", "0.2.1", []string{"feat(api)!: drop"}, nil, "0.3.0"},
		{"pre-1.0 feat is minor", "0.1.0", []string{"feat: x"}, nil, "0.2.0"},
		{"non-conventional is patch", "0.2.0", []string{"Update README"}, nil, "0.2.1"},
		{"rc base drops pre-release", "0.3.0-rc.2", []string{"fix: x"}, nil, "0.3.1"},
	}
	for _, c := range cases {
		var cs []Conventional
		for i, s := range c.subjects {
			body := ""
			if i < len(c.bodies) {
				body = c.bodies[i]
			}
			cs = append(cs, ParseConventional("", s, body))
		}
		from, err := ParseVersion("", c.from)
		if err != nil {
			t.Fatal(err)
		}
		if got := from.Apply(BumpOf(cs)).String(); got != c.want {
			t.Errorf("%s: %s + %v = %s, want %s", c.name, c.from, c.subjects, got, c.want)
		}
	}
}

func TestParseConventional(t *testing.T) {
	t.Parallel()
	c := ParseConventional("abc", "feat(aws-foundation)!: new VPC layout", "")
	if c.Type != "feat" || c.Scope != "aws-foundation" || !c.Breaking || c.Description != "new VPC layout" {
		t.Fatalf("parsed %+v", c)
	}
	c = ParseConventional("abc", "Merge branch x", "")
	if c.Type != "" || c.Description != "Merge branch x" {
		t.Fatalf("non-conventional parsed %+v", c)
	}
}

func TestChangelogGolden(t *testing.T) {
	t.Parallel()
	cs := []Conventional{
		ParseConventional("1111111aaaa", "feat(aws): cloud foundation", ""),
		ParseConventional("2222222bbbb", "fix(k3d): DNS in dev cluster", ""),
		ParseConventional("3333333cccc", "feat(portal)!: Backstage catalog v2", ""),
		ParseConventional("4444444dddd", "docs: workflow guide", ""),
		ParseConventional("5555555eeee", "perf: faster plans", ""),
	}
	section := ChangelogSection("v0.2.0", fixedNow, cs)
	existing := "# Changelog\n\nAll notable changes.\n\n## v0.1.0 (2026-01-01)\n\n- first\n"
	got := section + "\n----\n" + PrependChangelog(existing, section) + "----\n" + PrependChangelog("", section)
	golden := filepath.Join("testdata", "changelog.golden")
	if *update {
		mustNoErr(t, os.MkdirAll("testdata", 0o755))
		mustNoErr(t, os.WriteFile(golden, []byte(got), 0o644))
	}
	want, err := os.ReadFile(golden)
	mustNoErr(t, err)
	if got != string(want) {
		t.Fatalf("changelog differs from %s (run with -update):\n%s", golden, got)
	}
}

func FuzzParseVersion(f *testing.F) {
	for _, s := range []string{"v0.1", "v1.2.3-rc.1", "v", "v1.2.3-", "v999999999.0.0", "v1.2.3-a.b.c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, tag string) {
		v, err := ParseVersion("v", tag)
		if err != nil {
			return
		}
		back, err := ParseVersion("v", "v"+v.String())
		if err != nil || back != v {
			t.Fatalf("%q → %s does not round-trip: %v %v", tag, v, back, err)
		}
		_ = v.Apply(BumpMajor)
	})
}

func FuzzParseConventional(f *testing.F) {
	for _, s := range []string{"feat: x", "fix(a)!: y", "x(", "feat(): z", "BREAKING CHANGE: q"} {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, subject, body string) {
		c := ParseConventional("id", subject, body)
		_ = ChangelogSection("v1.0.0", fixedNow, []Conventional{c})
	})
}
