# Reads `go test -json` events and prints what plain `go test` would (one
# "ok"/"FAIL" line per package, build errors, and the output of every failed
# test), then one closing line with the number of tests (subtests included):
#   tests: N passed, N failed, N skipped
# Portable awk (mawk, the Debian default, has no capture groups).

function field(name,    re, s) {
	re = "\"" name "\":\"([^\"\\\\]|\\\\.)*\""
	if (!match($0, re)) return ""
	s = substr($0, RSTART + length(name) + 4, RLENGTH - length(name) - 5)
	return s
}

function unescape(s) {
	gsub(/\\n/, "\n", s); gsub(/\\t/, "\t", s); gsub(/\\r/, "", s)
	gsub(/\\u003c/, "<", s); gsub(/\\u003e/, ">", s); gsub(/\\u0026/, "\\&", s)
	gsub(/\\"/, "\"", s); gsub(/\\\\/, "\\", s)
	return s
}

!/^\{/ { print; next } # not an event: a message of the go command itself

{
	action = field("Action"); pkg = field("Package"); test = field("Test")
	if (action == "output" || action == "build-output") {
		out = unescape(field("Output"))
		if (test != "") { buf[pkg SUBSEP test] = buf[pkg SUBSEP test] out; next }
		if (out ~ /^(PASS|FAIL)\n$/ || out ~ /^=== / || out ~ /^(--- )?PASS/) next
		if (out ~ /^(--- )?SKIP/ || out ~ /^coverage:/) next
		printf "%s", out
		next
	}
	if (test == "") next
	if (action == "pass") { passed++; delete buf[pkg SUBSEP test] }
	else if (action == "skip") { skipped++; delete buf[pkg SUBSEP test] }
	else if (action == "fail") { failed++; printf "%s", buf[pkg SUBSEP test]; delete buf[pkg SUBSEP test] }
}

END { printf "tests: %d passed, %d failed, %d skipped\n", passed, failed, skipped }
