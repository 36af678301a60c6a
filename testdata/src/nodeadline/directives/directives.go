package directives

import (
	"context"
	"database/sql"
)

func trailing(db *sql.DB) {
	db.Ping() //deadlinelint:ignore nodeadline startup probe, the process exits if it hangs
}

func ownLine(db *sql.DB) {
	//deadlinelint:ignore nodeadline,swallowcancel migration tool, run by hand
	db.ExecContext(
		context.Background(),
		"VACUUM",
	)
}

// migrate runs once at startup.
//
//deadlinelint:ignore nodeadline one-shot migration, bounded by the deploy job's timeout
func migrate(db *sql.DB) {
	db.Exec("CREATE TABLE t (id int)")
	db.Exec("CREATE INDEX i ON t (id)")
}

func noReason(db *sql.DB) {
	// want +1 `deadlinelint:ignore directive has no reason, so it suppresses nothing: say why after the analyzer names`
	//deadlinelint:ignore nodeadline
	db.Ping() // want `\(\*sql.DB\).Ping has no context`
}

func unused(ctx context.Context, db *sql.DB) {
	//deadlinelint:ignore nodeadline this used to be db.Ping() // want `deadlinelint:ignore directive for nodeadline suppresses nothing: remove it`
	db.PingContext(ctx)
}

func otherRule(ctx context.Context, db *sql.DB) {
	db.PingContext(ctx) //deadlinelint:ignore swallowcancel not ours to judge
}

func nextLineOnly(db *sql.DB) {
	//deadlinelint:ignore nodeadline covers the next statement only
	db.Ping()
	db.Ping() // want `\(\*sql.DB\).Ping has no context`
}
func misspelled(db *sql.DB) {
	// want +1 `deadlinelint:ignore names "nodedline", which is no deadlinelint rule, so it suppresses nothing: did you mean nodeadline\?`
	//deadlinelint:ignore nodedline startup probe
	db.Ping() // want `\(\*sql.DB\).Ping has no context`
}

func unknownName(db *sql.DB) {
	// want +1 `deadlinelint:ignore names "all", which is no deadlinelint rule, so it suppresses nothing: rules are nodeadline, swallowcancel`
	//deadlinelint:ignore all startup probe
	db.Ping() // want `\(\*sql.DB\).Ping has no context`
}

// A misspelling close to another rule is that rule's to report.
func otherRuleMisspelled(ctx context.Context, db *sql.DB) {
	db.PingContext(ctx) //deadlinelint:ignore swalowcancel not ours to judge
}

func spaced(db *sql.DB) {
	// want +1 `this looks like a deadlinelint:ignore directive, but the space after // makes it a plain comment that suppresses nothing: write //deadlinelint:ignore`
	// deadlinelint:ignore nodeadline startup probe
	db.Ping() // want `\(\*sql.DB\).Ping has no context`
}
