package notify

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"ferry.dev/ferry/internal/platform"
)

// sender delivers one event to one sink; a sender lives for one delivery
// (all its attempts), so it may keep what an earlier attempt created.
type sender interface {
	send(ctx context.Context, ev Event, delivery string) error
}

// newSender resolves the sink's secrets and builds its sender. It returns
// the secrets too, so that whatever is recorded of the delivery can be
// redacted. A secret that is not set is a permanent failure.
func newSender(s platform.NotifySink, c *http.Client) (sender, []string, error) {
	switch {
	case s.Slack != nil:
		u, err := s.Slack.URL.Resolve()
		if err != nil {
			return nil, nil, permanent(fmt.Errorf("slack url: %w", err))
		}
		return &slack{c: c, url: u}, urlSecrets(u), nil
	case s.Webhook != nil:
		u, err := s.Webhook.URL.Resolve()
		if err != nil {
			return nil, nil, permanent(fmt.Errorf("webhook url: %w", err))
		}
		key, err := s.Webhook.Secret.Resolve()
		if err != nil {
			return nil, urlSecrets(u), permanent(fmt.Errorf("webhook secret: %w", err))
		}
		return &webhook{c: c, url: u, key: []byte(key)}, append(urlSecrets(u), key), nil
	case s.GitHost() != nil:
		g := s.GitHost()
		tok, err := g.Token.Resolve()
		if err != nil {
			return nil, nil, permanent(fmt.Errorf("%s token: %w", s.Kind(), err))
		}
		return &gitHost{c: c, kind: s.Kind(), cfg: *g, token: tok}, []string{tok}, nil
	}
	return nil, nil, permanent(fmt.Errorf("sink %s has no kind", s.Name))
}

// urlSecrets are the parts of a secret URL that must not show: the whole,
// and its path, query and credentials on their own (a server's answer may
// echo just the path, Slack's secret part).
func urlSecrets(raw string) []string {
	out := []string{raw}
	u, err := url.Parse(raw)
	if err != nil {
		return out
	}
	for _, part := range []string{u.EscapedPath(), u.Path, u.RawQuery, u.User.String()} {
		if len(part) > 1 {
			out = append(out, part)
		}
	}
	return out
}
