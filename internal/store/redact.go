package store

import (
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"
)

// RedactDSN describes where a PostgreSQL DSN (URL or key=value) connects —
// "host=H port=P user=U database=D" — without its password or any other
// setting. It never echoes the DSN text itself, so no secret a malformed DSN
// carries can leak; an unparsable DSN is shown as "(unparsable DSN)".
func RedactDSN(dsn string) string {
	cfg, err := pgconn.ParseConfig(dsn)
	if err != nil || cfg == nil {
		return "(unparsable DSN)"
	}
	return fmt.Sprintf("host=%s port=%d user=%s database=%s", cfg.Host, cfg.Port, cfg.User, cfg.Database)
}
