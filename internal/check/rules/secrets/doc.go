// Package secrets finds credentials committed in any text file: cloud
// access keys, private keys, well-known token formats and high-entropy
// values assigned to secret-looking keys (FERRY-CMP-050…). Findings show a
// redacted hint (a short prefix and the length), never the secret. It
// scans bytes; loading files is check/scan's job.
package secrets
