package notify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"time"
)

// Headers of a generic webhook delivery.
const (
	// HeaderSignature is "sha256=" and the hex HMAC-SHA256 of the raw body
	// under the sink's secret, as GitHub's X-Hub-Signature-256.
	HeaderSignature = "X-Ferry-Signature-256"
	// HeaderDelivery is the delivery's ID, the same on every attempt:
	// receivers drop an ID they have seen.
	HeaderDelivery = "X-Ferry-Delivery"
	// HeaderTimestamp is the attempt's Unix time; receivers refuse old ones.
	HeaderTimestamp = "X-Ferry-Timestamp"
	// HeaderEvent is the trigger.
	HeaderEvent = "X-Ferry-Event"
)

// WebhookPayload is the body of a generic webhook delivery. Delivery and
// SentAt are in the signed body too, so a receiver that checks the
// signature can trust them against replays.
type WebhookPayload struct {
	Delivery string    `json:"delivery"`
	SentAt   time.Time `json:"sentAt"`
	Event
}

type webhook struct {
	c   *http.Client
	url string
	key []byte
}

func (w *webhook) send(ctx context.Context, ev Event, delivery string) error {
	now := time.Now().UTC().Truncate(time.Second)
	body, _ := json.Marshal(WebhookPayload{Delivery: delivery, SentAt: now, Event: ev})
	hdr := http.Header{}
	hdr.Set(HeaderSignature, Sign(w.key, body))
	hdr.Set(HeaderDelivery, delivery)
	hdr.Set(HeaderTimestamp, strconv.FormatInt(now.Unix(), 10))
	hdr.Set(HeaderEvent, string(ev.Trigger))
	_, err := request(ctx, w.c, http.MethodPost, w.url, body, hdr)
	return err
}

// Sign is the signature header's value for body under key.
func Sign(key, body []byte) string {
	mac := hmac.New(sha256.New, key)
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}
