package server

import (
	"net/http"

	"ferry.dev/ferry/internal/api"
)

func serveOpenAPI(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(api.OpenAPI())
}
