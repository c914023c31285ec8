#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# clone() without pthreads (tests/progs/clone-calls.c), each case 20 times
# in one traced run, bare and traced: same output, same exit statuses,
# within a timeout (a child sharing its parent's TLS used to hang the
# process at exit about one run in four). A CLONE_VM child on its parent's
# TLS and a child sharing the fd table are named as not traced; a
# fork-like child is traced under its own pid.
. "$(dirname "$0")/../lib.sh"
N=20
CASES="vm vm-exit vm-signal vm-vfork fork files"
# loop OUT PROG CASE DIR: the case N times, each run's output, exit status
# and pids kept apart, so that no traced process reads what another wrote
loop='for i in $(seq '$N'); do "$1" "$2" "$3" "$4.$i"; echo "rc $?" >"$4.$i.rc"; done'
collect() {
	local i
	for i in $(seq $N); do cat "$1.$i" "$1.$i.rc"; done | tr -d '\0'
}
bad=()
for c in $CASES; do
	mkdir -p "$SCRATCH/bare-$c" "$SCRATCH/traced-$c"
	timeout -k 5 20 bash -c "$loop" - "$BIN/clone-calls" "$c" \
		"$SCRATCH/bare-$c" "$SCRATCH/bare-$c.out" 2>/dev/null
	start=$(date +%s)
	timeout -k 5 60 "$TW" run -o "$SCRATCH/$c.trace" --json "$SCRATCH/$c.json" \
		-- bash -c "$loop" - "$BIN/clone-calls" "$c" "$SCRATCH/traced-$c" \
		"$SCRATCH/traced-$c.out" >/dev/null 2>&1
	trc=$?
	echo "$c: traced run exit $trc in $(( $(date +%s) - start )) s"
	bout=$(collect "$SCRATCH/bare-$c.out")
	tout=$(collect "$SCRATCH/traced-$c.out")
	[ -n "$bout" ] || fail "$c: the program printed nothing bare"
	if [ "$trc" = 124 ] || [ "$trc" = 137 ] || [ "$bout" != "$tout" ]; then
		echo "DIFF $c: traced run exit $trc"
		diff <(echo "$bout") <(echo "$tout") | head -n 10
		bad+=("$c")
		continue
	fi
	echo "same $c: $(echo "$bout" | sort | uniq -c | tr -s ' ' | paste -sd ';')"
	n=$(jqr "$SCRATCH/$c.json" '.anomalies | length')
	[ "$n" = 0 ] || { echo "DIFF $c: $n anomalies"; bad+=("$c"); }
	case $c in
	vm*) why=clone_shares_tls ;;
	files) why=clone_shares_files ;;
	*) why= ;;
	esac
	n=$(jqr "$SCRATCH/$c.json" "[.not_traced[] | select(.why == \"$why\")] | length")
	[ -n "$why" ] || n=$(jqr "$SCRATCH/$c.json" '.not_traced | length')
	want=$N
	[ -n "$why" ] || want=0
	[ "$n" = "$want" ] || { echo "DIFF $c: $n not traced ($why), want $want"; bad+=("$c"); }
done
[ ${#bad[@]} -eq 0 ] || fail "bare and traced differ: ${bad[*]}"

# The parent is traced again once a CLONE_VM child returned: both its
# preads after the clone, in every run.
expect_eq "vm: parent preads after the child" \
	"$(bt_ended "$SCRATCH/vm.trace" pread "$BIN/clone-calls")" $((2 * N))
# A child that left by _exit leaves its parent's thread untraced.
expect_eq "vm-exit: parent preads after the child" \
	"$(bt_ended "$SCRATCH/vm-exit.trace" pread "$BIN/clone-calls")" 0
# A fork-like child's calls carry its own pid, and its start names the parent.
children=$(for i in $(seq $N); do cut -d' ' -f2 "$SCRATCH/traced-fork.out.$i.pid"; done)
parents=$(for i in $(seq $N); do cut -d' ' -f1 "$SCRATCH/traced-fork.out.$i.pid"; done)
bt_text "$SCRATCH/fork.trace" >"$SCRATCH/fork.txt"
got=0
for p in $children; do
	grep -q "tornwatch:call_begin:.*pid = $p, .*call = \"pwrite\"" "$SCRATCH/fork.txt" &&
		grep -q "tornwatch:process:.*pid = $p, .*ppid = \($(echo $parents | tr ' ' '|' | sed 's/|/\\|/g')\)," "$SCRATCH/fork.txt" &&
		got=$((got + 1))
done
expect_eq "fork: children with their own pid, pwrite and start" "$got" $N
expect_eq "fork: pwrites of parents and children" \
	"$(bt_ended "$SCRATCH/fork.trace" pwrite "$BIN/clone-calls")" $((2 * N))
