package api_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"ferry.dev/ferry/internal/api"
)

var seeds = []string{
	``, `{}`, `null`, `[]`, `"x"`, `7`, `{"ref":"v1.2.0"}`, `{"ref":7}`, `{"reff":"x"}`, `{"ref":"-x"}`, `{"dryRun":true}`,
	`{"to":"v0.1.0","noSync":true}`, `{"to":""}`, `{"override":"INC-1"}`, `{"override":"  "}`, `{"override":"INC-7","ref":"abc123"}`, `{"override":"INC-7","ref":"-x"}`, `{"bump":"minor","rc":true}`,
	`{"bump":"huge"}`, `{"name":"ci","role":"viewer","envs":["dev"]}`, `{"name":"ci","role":"viewer","envs":"dev"}`, `{"revision":"abc","comment":"ok\nline"}`, `{"comment":"\u0000"}`, `{} {}`, `{"ref":"a"}x`, `{"ref":`,
	"{\"comment\":\"\xff\"}", `{"ref":"` + strings.Repeat("a", 2000) + `"}`,
}

// decode runs Decode[T] on data and checks its contract: an error is a
// *BadRequestError with a message; a success validates and survives a
// round trip through JSON.
func decode[T any, P interface {
	*T
	Validate() error
}](t *testing.T, data []byte) {
	v, err := api.Decode[T, P](bytes.NewReader(data))
	if err != nil {
		var bad *api.BadRequestError
		if !errors.As(err, &bad) || err.Error() == "" {
			t.Fatalf("%q: error %T %v, want a *BadRequestError with a message", data, err, err)
		}
		return
	}
	if err := P(&v).Validate(); err != nil {
		t.Fatalf("%q: decoded but invalid: %v", data, err)
	}
	b, _ := json.Marshal(v)
	again, err := api.Decode[T, P](bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%q: re-encoded %s does not decode: %v", data, b, err)
	}
	if b2, _ := json.Marshal(again); !bytes.Equal(b, b2) {
		t.Fatalf("%q: round trip %s -> %s", data, b, b2)
	}
}

func fuzzAll(t *testing.T, data []byte) {
	decode[api.SyncRequest](t, data)
	decode[api.PromoteRequest](t, data)
	decode[api.ApproveRequest](t, data)
	decode[api.ReleaseRequest](t, data)
	decode[api.RollbackRequest](t, data)
	decode[api.TokenRequest](t, data)
}

// FuzzDecode: no body panics a decoder; bad ones are a clear 400.
func FuzzDecode(f *testing.F) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(fuzzAll)
}

func TestDecode(t *testing.T) {
	t.Parallel()
	cases := []struct {
		body, want string // want: "" decodes, else a part of the message
	}{
		{``, ""},
		{`{"ref":"v1.2.0","dryRun":true}`, ""},
		{`null`, "must be a JSON object"},
		{`{"ref":7}`, `field "ref" must be a string`},
		{`{"reff":"x"}`, `unknown field "reff"`},
		{`{"ref":"-x"}`, "is not a revision"},
		{`{} {}`, "data after the JSON object"},
		{`{"ref":`, "truncated JSON"},
		{`{"ref":"` + strings.Repeat("a", 2000) + `"}`, "longer than 1024 bytes"},
		{strings.Repeat(" ", api.MaxBody+1), "larger than"},
	}
	for _, tc := range cases {
		_, err := api.Decode[api.SyncRequest](strings.NewReader(tc.body))
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%.40q: %v, want %q", tc.body, err, tc.want)
		}
	}
	for body, want := range map[string]string{`{"to":""}`: "is required", `{"to":"v1","noSync":"yes"}`: `"noSync" must be a bool`} {
		if _, err := api.Decode[api.RollbackRequest](strings.NewReader(body)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("rollback %s: %v, want %q", body, err, want)
		}
	}
	for body, want := range map[string]string{`{"bump":"huge"}`: "must be auto, major", `{"override":" "}`: "needs a reason"} {
		if _, err := api.Decode[api.ReleaseRequest](strings.NewReader(body)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("release %s: %v, want %q", body, err, want)
		}
	}
	for body, want := range map[string]string{`{"ref":"abc123"}`: "ref needs override", `{"override":"INC-7","ref":"-x"}`: "is not a revision", `{"override":"INC-7","ref":"abc123"}`: ""} {
		_, err := api.Decode[api.PromoteRequest](strings.NewReader(body))
		if want == "" && err != nil || want != "" && (err == nil || !strings.Contains(err.Error(), want)) {
			t.Errorf("promote %s: %v, want %q", body, err, want)
		}
	}
	if _, err := api.Decode[api.ApproveRequest](strings.NewReader(`{"comment":"a\u0007b"}`)); err == nil || !strings.Contains(err.Error(), "control character") {
		t.Errorf("approve with a control character: %v", err)
	}
	for _, s := range seeds {
		fuzzAll(t, []byte(s))
	}
}
