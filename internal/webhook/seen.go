package webhook

import "sync"

// DeliverySet remembers delivery IDs, so that a host's redelivery of a push
// is answered without calling the sink again. It must be safe for
// concurrent use.
type DeliverySet interface {
	// Add records id and reports whether it was new.
	Add(id string) bool
}

// defaultSeen is how many delivery IDs the default DeliverySet remembers.
const defaultSeen = 1024

// recentSet is a DeliverySet holding the last n IDs added: when full, the
// oldest is forgotten first.
type recentSet struct {
	mu   sync.Mutex
	ids  map[string]struct{}
	ring []string // insertion order; next is the slot to overwrite
	next int
}

func newRecentSet(n int) *recentSet {
	n = max(n, 1)
	return &recentSet{ids: make(map[string]struct{}, n), ring: make([]string, 0, n)}
}

func (s *recentSet) Add(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.ids[id]; ok {
		return false
	}
	if len(s.ring) < cap(s.ring) {
		s.ring = append(s.ring, id)
	} else {
		delete(s.ids, s.ring[s.next])
		s.ring[s.next] = id
		s.next = (s.next + 1) % len(s.ring)
	}
	s.ids[id] = struct{}{}
	return true
}
