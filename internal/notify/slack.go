package notify

import (
	"context"
	"encoding/json"
	"net/http"
)

// slack posts to a Slack incoming webhook: {"text": "..."} in mrkdwn. Slack
// answers 200 "ok", or 4xx with a reason (invalid_token, no_service,
// channel_is_archived) that retrying does not change.
type slack struct {
	c   *http.Client
	url string
}

func (s *slack) send(ctx context.Context, ev Event, _ string) error {
	icon := map[outcome]string{outcomeSuccess: ":white_check_mark:", outcomeFailure: ":x:", outcomeWarning: ":warning:"}[ev.outcome()]
	text := icon + " *" + ev.Title() + "*"
	if ev.Message != "" {
		text += "\n" + ev.Message
	}
	body, _ := json.Marshal(map[string]string{"text": text})
	_, err := request(ctx, s.c, http.MethodPost, s.url, body, nil)
	return err
}
