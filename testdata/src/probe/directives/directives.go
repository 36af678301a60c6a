// Package directives exercises //deadlinelint:ignore with a probe rule
// (named nodeadline) that reports every call of hang.
package directives

func hang() {}

func endOfLine() {
	hang() //deadlinelint:ignore nodeadline the process exits if it hangs
	hang() // want "hang"
}

func ownLine() {
	//deadlinelint:ignore nodeadline covers the whole statement that follows
	if true {
		hang()
		hang()
	}
	hang() // want "hang"
}

// docComment is covered whole by the directive in its doc comment.
//
//deadlinelint:ignore nodeadline a startup path, bounded by the process supervisor
func docComment() {
	hang()
	hang()
}

func listed() {
	hang() //deadlinelint:ignore swallowcancel,nodeadline both rules, one reason
}

func otherRule() {
	hang() /* want "hang" */ //deadlinelint:ignore swallowcancel not this rule
}

func noReason() {
	hang() /* want "hang" "has no reason, so it suppresses nothing" */ //deadlinelint:ignore nodeadline
}

func stale() {
	/* want "suppresses nothing: remove it" */ //deadlinelint:ignore nodeadline nothing to suppress here
	_ = 1
}

func typo() {
	hang() /* want "hang" `names "nodeadlin", which is no deadlinelint rule, so it suppresses nothing: did you mean nodeadline\?` */ //deadlinelint:ignore nodeadlin misspelt
}

func unknown() {
	hang() /* want "hang" `names "frobnicate", which is no deadlinelint rule, so it suppresses nothing: rules are nodeadline, ` */ //deadlinelint:ignore frobnicate not a rule
}

func spaced() {
	hang() /* want "hang" "the space after // makes it a plain comment" */ // deadlinelint:ignore nodeadline a space after the slashes
}

func glued() {
	hang() /* want "hang" */ //deadlinelint:ignorenodeadline not a directive at all
}
