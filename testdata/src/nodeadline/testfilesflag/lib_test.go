package testfilesflag

import (
	"database/sql"
	"testing"
)

func TestLib(t *testing.T) {
	var db *sql.DB
	db.Ping() // want `\(\*sql.DB\).Ping has no context`
}
