package cgo

/*
static int answer(void) { return 42; }
*/
import "C"

import "database/sql"

func Answer() int { return int(C.answer()) }

func ping(db *sql.DB) {
	db.Ping() // want `\(\*sql.DB\).Ping has no context`
}
