package testfiles

import (
	"database/sql"
	"testing"
)

func TestLib(t *testing.T) {
	var db *sql.DB
	db.Ping() // reported only with -nodeadline.tests
}
