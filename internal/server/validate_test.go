package server_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"ferry.dev/ferry/internal/api"
)

// validator is an http.RoundTripper that holds every request and response
// to the OpenAPI document with kin-openapi: a response that does not match
// fails the test; a request the document refuses must be refused by the
// server too (4xx). It counts the operations answered 2xx.
type validator struct {
	t      testing.TB
	doc    *openapi3.T
	router routers.Router
	mu     sync.Mutex
	ok     map[string]int // "METHOD path-template" answered 2xx
}

func loadDoc(t testing.TB) *openapi3.T {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(api.OpenAPI())
	if err != nil {
		t.Fatalf("load openapi.json: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("openapi.json is not a valid OpenAPI 3 document: %v", err)
	}
	return doc
}

func newValidator(t testing.TB) *validator {
	doc := loadDoc(t)
	doc.Servers = nil // match any host (httptest's port)
	r, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	return &validator{t: t, doc: doc, router: r, ok: map[string]int{}}
}

func init() {
	openapi3filter.RegisterBodyDecoder("text/event-stream", func(r io.Reader, _ http.Header, _ *openapi3.SchemaRef, _ openapi3filter.EncodingFn) (any, error) {
		b, err := io.ReadAll(r)
		return string(b), err
	})
}

func (v *validator) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
		req.Body.Close()
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	route, params, routeErr := v.router.FindRoute(req)
	var in *openapi3filter.RequestValidationInput
	var reqErr error
	opts := &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, IncludeResponseStatus: true,
		MultiError: true}
	if routeErr == nil {
		in = &openapi3filter.RequestValidationInput{Request: req.Clone(req.Context()), PathParams: params, Route: route, Options: opts}
		in.Request.Body = io.NopCloser(bytes.NewReader(body))
		reqErr = openapi3filter.ValidateRequest(req.Context(), in)
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	began := time.Now()
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	if d := time.Since(began); d > time.Second {
		v.t.Logf("slow: %s %s took %v", req.Method, req.URL.Path, d.Round(time.Millisecond))
	}
	stream := strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream")
	if routeErr != nil {
		if resp.StatusCode < 400 {
			v.t.Errorf("%s %s is not in the OpenAPI document but answered %d", req.Method, req.URL.Path, resp.StatusCode)
		}
		return resp, nil
	}
	if reqErr != nil && resp.StatusCode < 400 {
		v.t.Errorf("%s %s: the server accepted (%d) a request the document refuses: %v", req.Method, req.URL, resp.StatusCode, reqErr)
	}
	if stream {
		v.count(req.Method, route.Path, resp.StatusCode)
		return resp, nil // a stream never ends: its messages are checked by the stream test
	}
	data, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(data))
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: resp.StatusCode, Header: resp.Header,
		Body: io.NopCloser(bytes.NewReader(data)), Options: opts}
	if err := openapi3filter.ValidateResponse(req.Context(), out); err != nil {
		v.t.Errorf("%s %s: response %d does not match the OpenAPI document: %v\n%s", req.Method, req.URL, resp.StatusCode, err, trim(data))
	}
	v.count(req.Method, route.Path, resp.StatusCode)
	return resp, nil
}

func (v *validator) count(method, path string, status int) {
	if status >= 200 && status < 300 {
		v.mu.Lock()
		v.ok[method+" "+path]++
		v.mu.Unlock()
	}
}

// uncovered lists the document's operations never answered 2xx.
func (v *validator) uncovered() []string {
	v.mu.Lock()
	defer v.mu.Unlock()
	var out []string
	for path, item := range v.doc.Paths.Map() {
		for method := range item.Operations() {
			if v.ok[method+" "+path] == 0 {
				out = append(out, method+" "+path)
			}
		}
	}
	sort.Strings(out)
	return out
}

func trim(b []byte) string {
	if len(b) > 2000 {
		return string(b[:2000]) + "…"
	}
	return string(b)
}
