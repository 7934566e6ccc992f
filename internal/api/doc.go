// Package api is the contract of ferry serve's HTTP API (/api/v1): the
// OpenAPI 3 document (openapi.yaml, embedded and served as
// /api/v1/openapi.json), the request bodies and their strict decoders
// (fuzzed: no input panics, bad input is a *BadRequestError with a clear
// message), the error body and its stable codes, the action record of a
// long action (202), and the Go client the command line's --server uses.
//
// It owns no handler and no use case: package server implements the
// contract on package app, package view shapes what it reads.
package api
