package api

import (
	_ "embed"
	"sync"

	"sigs.k8s.io/yaml"
)

//go:embed openapi.yaml
var openapiYAML []byte

var openapiJSON = sync.OnceValues(func() ([]byte, error) { return yaml.YAMLToJSON(openapiYAML) })

// OpenAPI is the API's OpenAPI 3 document as JSON (served as
// /api/v1/openapi.json; written as openapi.yaml for people to read).
func OpenAPI() []byte {
	b, err := openapiJSON()
	if err != nil {
		panic("api: openapi.yaml does not convert: " + err.Error()) // caught by every test
	}
	return b
}
