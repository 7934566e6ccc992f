package webhook

import (
	"strconv"
	"testing"
)

func TestRecentSetForgetsOldestWhenFull(t *testing.T) {
	t.Parallel()
	s := newRecentSet(3)
	steps := []struct {
		id   string
		want bool
	}{
		{"a", true}, {"a", false}, {"b", true}, {"c", true}, {"b", false},
		{"d", true}, // evicts a
		{"a", true}, // evicts b
		{"c", false}, {"b", true},
	}
	for i, st := range steps {
		if got := s.Add(st.id); got != st.want {
			t.Fatalf("step %d: Add(%q) = %v, want %v", i, st.id, got, st.want)
		}
	}
}

func TestRecentSetHoldsDefaultSize(t *testing.T) {
	t.Parallel()
	s := newRecentSet(defaultSeen)
	for i := range defaultSeen {
		s.Add(strconv.Itoa(i))
	}
	if s.Add("0") {
		t.Fatal("id 0 forgotten while the set held defaultSeen ids")
	}
	s.Add("new")
	if len(s.ids) != defaultSeen || len(s.ring) != defaultSeen {
		t.Fatalf("set holds %d ids in a ring of %d, want %d", len(s.ids), len(s.ring), defaultSeen)
	}
}

func TestRecentSetOfZeroStillWorks(t *testing.T) {
	t.Parallel()
	s := newRecentSet(0)
	if !s.Add("a") || s.Add("a") || !s.Add("b") || !s.Add("a") {
		t.Fatal("a set of size 0 must remember the last id")
	}
}
