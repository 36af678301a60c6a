package testfiles

import "database/sql"

func Lib(db *sql.DB) error { return db.Ping() } // want `\(\*sql.DB\).Ping has no context`
