// Package dora computes the DORA software delivery metrics of one
// environment over a window: deployment frequency, lead time for changes,
// change failure rate, failed deployment recovery time and deployment
// rework rate, each with its DORA performance band. The figures come from
// the store (store.Store.DORA, SQL over the deployments, which record what
// they brought from Git when they ran); this package adds the window, the
// rates and the bands, and parses --since. It reads no Git itself and
// does not decide what a change, a failure or a hotfix is: the store's
// deployments and package deploy do. docs/operations.md defines each
// metric.
package dora
