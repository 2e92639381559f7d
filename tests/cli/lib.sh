# Shared by the CLI test scripts (sourced). Needs AVSIM set. Provides $tmp (removed
# at exit), pass/fail counters, ok/bad, check WHAT CMD..., and
# expect NAME STATUS PATTERN -- ARGS...: avsim ARGS exits with STATUS and its
# stderr matches PATTERN (extended regex). finish NAME prints the tally and
# sets the status.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
check() { local what=$1; shift; if "$@"; then ok; else bad "$what"; fi; }

# expect NAME STATUS PATTERN -- ARGS...: avsim ARGS exits with STATUS and its stderr matches
# PATTERN; its stdout goes to $tmp/out (or to $EXPECT_STDOUT when set, e.g. /dev/full).
expect() {
    local name=$1 want=$2 pattern=$3
    shift 4
    timeout 20 "$AVSIM" "$@" >"${EXPECT_STDOUT:-$tmp/out}" 2>"$tmp/err" </dev/null
    local got=$?
    if [ "$got" -eq "$want" ] && grep -Eq -- "$pattern" "$tmp/err"; then
        ok
    else
        bad "$name: status $got (want $want), stderr:"
        sed 's/^/    /' "$tmp/err"
        echo "    (wanted a match for: $pattern)"
    fi
}

finish() {
    echo "$1: $pass passed, $fail failed"
    [ "$fail" -eq 0 ]
}
