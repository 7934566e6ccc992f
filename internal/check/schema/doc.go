// Package schema validates Kubernetes objects offline: unknown fields,
// wrong types and missing required fields (FERRY-SCH-…).
//
// Source of the built-in schemas: the Go API types of k8s.io/api v0.37.0
// (Kubernetes 1.37), as registered in k8s.io/client-go/kubernetes/scheme,
// read by reflection — the same structs the API server decodes into, so a
// field is known exactly when the server knows it. A field is required when
// its JSON tag has no omitempty (the convention the API's OpenAPI generator
// follows), except inside status. Custom resources are validated against
// the openAPIV3Schema of CustomResourceDefinitions found in the scanned
// repository; custom resources without one are not validated. It does not
// run admission, defaulting or CEL validation rules.
package schema
