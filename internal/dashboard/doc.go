// Package dashboard is ferry serve's control room in the browser: the
// server-rendered pages at / (pipeline, environment, deployment,
// promotion/release, checks, events), the token login that opens a
// session, and the forms that act (sync, approve, promote, override,
// release, roll back).
//
// It owns the pages' view models (one function builds each, so a test can
// render a page without a server), the templates and assets embedded in
// the binary, sessions and their CSRF tokens, and the security headers of
// every page. It owns no use case and no authorization rule: reads come
// from package view and the store, each form is forwarded to the /api/v1
// handler as the session's token, so the API's decoding, authorization
// (package auth), use cases (package app) and records are the only path an
// action takes. The live updates are the API's event stream, forwarded the
// same way.
package dashboard
