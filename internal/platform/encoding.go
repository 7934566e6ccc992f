package platform

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// parseDuration parses "5m", "1h30m"; negative durations are refused.
func parseDuration(s string) (Duration, error) {
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil {
		return Duration{}, fmt.Errorf("invalid duration %q (use e.g. 30s, 5m, 1h)", s)
	}
	if d < 0 {
		return Duration{}, fmt.Errorf("invalid duration %q: negative", s)
	}
	return Duration{d}, nil
}

// String writes the duration the way people write it: "5m", "1h30m", "90s".
func (d Duration) String() string {
	s := d.Duration.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// MarshalYAML writes "5m".
func (d Duration) MarshalYAML() (any, error) { return d.String(), nil }

// UnmarshalYAML reads "5m".
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	return decodeInto(n, reflect.ValueOf(d).Elem())
}

// MarshalJSON writes "5m".
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON reads "5m".
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("decode duration: want a string such as \"5m\": %w", err)
	}
	v, err := parseDuration(s)
	if err != nil {
		return fmt.Errorf("decode duration: %w", err)
	}
	*d = v
	return nil
}

// UnmarshalYAML reads a lane written as a plain name ("develop") or as an
// object ({name: develop, protected: false}), strictly.
func (l *Lane) UnmarshalYAML(n *yaml.Node) error {
	return decodeInto(n, reflect.ValueOf(l).Elem())
}

// decodeInto runs the strict decoder on one node, for the yaml.Unmarshaler
// methods that other packages' yaml.Unmarshal calls reach.
func decodeInto(n *yaml.Node, v reflect.Value) error {
	d := newDecoder(FileName, n)
	d.decode(n, v, "")
	if len(d.probs) > 0 {
		return &ConfigError{Problems: d.probs}
	}
	return nil
}
