// Package report renders check results: text for humans (grouped by file,
// colour only when asked, i.e. on a terminal), a stable JSON shape, SARIF
// 2.1.0 as GitHub code scanning accepts it, and JUnit XML for CI test
// views. Every suppression is listed with its reason. It formats; it does
// not decide which findings fail a run beyond the threshold it is given, and
// it does not write files (the CLI writes them atomically).
package report
