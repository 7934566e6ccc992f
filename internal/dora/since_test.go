package dora

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParseSince(t *testing.T) {
	t.Parallel()
	good := map[string]time.Duration{
		"90d": 90 * 24 * time.Hour, "12h": 12 * time.Hour, "2w": 14 * 24 * time.Hour,
		"1h": time.Hour, "3650d": MaxSince, "007d": 7 * 24 * time.Hour,
	}
	for in, want := range good {
		if got, err := ParseSince(in); err != nil || got != want {
			t.Errorf("ParseSince(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "d", "90", "0d", "-1d", "+1d", "1.5d", "90D", "1y", "3651d", "99999999999999999999h", "1 d", "9m"} {
		_, err := ParseSince(in)
		if !errors.Is(err, ErrSince) || !strings.Contains(err.Error(), "e.g. 90d") {
			t.Errorf("ParseSince(%q) error = %v, want ErrSince with an example", in, err)
		}
	}
}

func FuzzParseSince(f *testing.F) {
	for _, s := range []string{"90d", "12h", "2w", "", "0d", "-3h", "99999999999999999999w", "1.5d", "3650d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseSince(s)
		if err != nil {
			if !errors.Is(err, ErrSince) {
				t.Fatalf("error %v is not ErrSince", err)
			}
			return
		}
		if d <= 0 || d > MaxSince {
			t.Fatalf("ParseSince(%q) = %v, outside (0, MaxSince]", s, d)
		}
	})
}
