package dora

import (
	"errors"
	"fmt"
	"strconv"
	"time"
)

// MaxSince bounds --since (ten years): longer windows are typos.
const MaxSince = 3650 * 24 * time.Hour

// ErrSince: a --since value that is not a positive count and a unit.
var ErrSince = errors.New("invalid duration")

// units of ParseSince.
var units = map[byte]time.Duration{'h': time.Hour, 'd': 24 * time.Hour, 'w': 7 * 24 * time.Hour}

// ParseSince parses a window length: a positive whole number and a unit,
// h (hours), d (days) or w (weeks): "90d", "12h", "2w".
func ParseSince(s string) (time.Duration, error) {
	bad := func(why string) error {
		return fmt.Errorf("%w %q: %s (use a number and h, d or w, e.g. 90d, 12h, 2w)", ErrSince, s, why)
	}
	if len(s) < 2 {
		return 0, bad("too short")
	}
	unit, ok := units[s[len(s)-1]]
	if !ok {
		return 0, bad("unknown unit")
	}
	digits := s[:len(s)-1]
	for _, r := range digits {
		if r < '0' || r > '9' {
			return 0, bad("not a whole number")
		}
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || n <= 0 {
		return 0, bad("must be positive")
	}
	if n > int64(MaxSince/unit) {
		return 0, bad("longer than ten years")
	}
	return time.Duration(n) * unit, nil
}
