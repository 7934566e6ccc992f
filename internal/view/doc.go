// Package view builds the read models of ferry's control room: what the
// API's JSON handlers encode and what the dashboard's templates render,
// each built by one plain function from the platform model, the store and
// the lane heads, so a test can build one without a server.
//
// It owns the shapes (Platform, Environment, Status, History, pages of
// records) and the rules that derive them (sync state, drift still
// standing, lock holder). It writes nothing and runs no use case: actions
// go through package app. No view carries a secret: targets lose their
// kubeconfig paths and backend configuration, components their inputs.
package view
