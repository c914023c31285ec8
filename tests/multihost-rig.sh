# SPDX-License-Identifier: MIT
# Two "hosts" on one machine, sourced by tests/cases/multihost-*.sh after
# lib.sh. Each host is a network namespace (a veth pair between them, on
# addresses of its own) with its own mount and UTS namespaces: a hostname,
# a private tmpfs over /run/lttng and /dev/shm, so that its lttng-sessiond
# is its own and never meets the machine's root session daemon, and its
# own tearfs mount of one shared backing directory (each its own client
# cache). A host's session daemon and programs run in a time namespace
# whose monotonic clock is offset (unshare --time --monotonic): LTTng's CTF
# clock is that monotonic clock, placed against realtime by the offset the
# session daemon measured at trace start, so babeltrace2 must place the two
# traces by their offsets for the verdicts to come out right. The two
# hosts' process ids are of PID namespaces of their own, so they collide
# as on two machines. (A program
# whose clock differs from its daemon's makes a trace whose packets begin
# after their events: the muxer refuses it.) lttng-relayd runs on
# host A's veth address and collects both traces. Everything started is
# killed and everything mounted unmounted by rig_down, from the EXIT trap.

RIG_ID=$$
RIG_NS=()
RIG_PIDS=()
RIG_HOLD=()	# per host: the process that holds its namespaces
RIG_TIME=()	# per host: the process that holds its time namespace
RIG_NET=$((RIG_ID % 200 + 20))
RIG_ADDR=(10.213.$RIG_NET.1 10.213.$RIG_NET.2)
RIG_PORT=$((20000 + RIG_ID % 20000))
RIG_RELAY_OUT=$SCRATCH/relay
RIG_BACKING=$SCRATCH/backing

rig_skip_unless() {
	local t
	[ "$(id -u)" = 0 ] || skip "the rig needs root (network and mount namespaces)"
	for t in ip unshare nsenter lttng-relayd lttng-sessiond fusermount3; do
		command -v $t >/dev/null || skip "$t is not installed"
	done
	[ -x "$BIN/tearfs" ] || skip "tearfs was not built"
	unshare --time --pid --fork true 2>/dev/null ||
		skip "the kernel has no time or PID namespaces"
}

# rig_in HOST NSENTER-FLAGS... -- CMD...: runs CMD in host HOST's namespaces.
rig_in() {
	local h=$1
	shift
	local flags=()
	while [ "$1" != -- ]; do
		flags+=("$1")
		shift
	done
	shift
	nsenter -t "${RIG_HOLD[h]}" "${flags[@]}" -- env LTTNG_HOME="$SCRATCH/home$h" "$@"
}

# rig_sh HOST CMD: a shell command on host HOST, outside its time namespace.
rig_sh() {
	rig_in "$1" --net --mount --uts -- sh -c "$2"
}

# rig_app HOST CMD: a shell command on host HOST, in its time namespace.
rig_app() {
	nsenter -t "${RIG_TIME[$1]}" --net --mount --uts --time --pid -- \
		env LTTNG_HOME="$SCRATCH/home$1" sh -c "$2"
}

rig_down() {
	local i p
	for ((i = ${#RIG_PIDS[@]} - 1; i >= 0; i--)); do
		kill "${RIG_PIDS[i]}" 2>/dev/null
	done
	for h in 0 1; do
		[ -n "${RIG_HOLD[h]:-}" ] || continue
		# Our session daemons and tearfs live only in our namespaces: the
		# processes in them are ours alone, the root daemon is not there.
		for p in $(ip netns pids "${RIG_NS[h]}" 2>/dev/null); do
			kill "$p" 2>/dev/null
		done
	done
	sleep 0.3
	for h in 0 1; do
		[ -n "${RIG_NS[h]:-}" ] || continue
		for p in $(ip netns pids "${RIG_NS[h]}" 2>/dev/null); do
			kill -9 "$p" 2>/dev/null
		done
		ip netns del "${RIG_NS[h]}" 2>/dev/null
	done
	ip link del "twa$RIG_ID" 2>/dev/null
	return 0
}

# A rig whose test was killed outright (SIGKILL) left its namespaces: their
# names carry the test's pid; gone tests' are cleaned up here.
rig_reap() {
	local ns id p
	for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -E '^tw[AB][0-9]+$'); do
		id=${ns#tw?}
		kill -0 "$id" 2>/dev/null && continue
		for p in $(ip netns pids "$ns" 2>/dev/null); do
			kill -9 "$p" 2>/dev/null
		done
		ip netns del "$ns" 2>/dev/null
	done
}

# rig_up SKEW_A_S: two hosts, their session daemons, tearfs and the relay.
# Host A's programs run SKEW_A_S seconds behind its session daemon's clock.
# RIG_TEARFS_OPTS0, RIG_TEARFS_OPTS1: each host's tearfs options
# (default window_reads).
rig_up() {
	local skew=${1:-0} h name
	mkdir -p "$RIG_RELAY_OUT" "$RIG_BACKING" "$SCRATCH/home0" "$SCRATCH/home1"
	rig_reap
	RIG_NS=(twA$RIG_ID twB$RIG_ID)
	ip netns add "${RIG_NS[0]}" && ip netns add "${RIG_NS[1]}" ||
		fail "cannot create the network namespaces"
	ip link add "twa$RIG_ID" type veth peer name "twb$RIG_ID" &&
		ip link set "twa$RIG_ID" netns "${RIG_NS[0]}" &&
		ip link set "twb$RIG_ID" netns "${RIG_NS[1]}" ||
		fail "cannot create the veth pair"
	for h in 0 1; do
		name=$([ $h = 0 ] && echo a || echo b)
		ip -n "${RIG_NS[h]}" link set lo up
		ip -n "${RIG_NS[h]}" addr add "${RIG_ADDR[h]}/30" dev "tw$name$RIG_ID"
		ip -n "${RIG_NS[h]}" link set "tw$name$RIG_ID" up
		# The holder: its mount and UTS namespaces are the host's.
		ip netns exec "${RIG_NS[h]}" unshare --mount --uts --propagation private \
			sh -c "hostname tw$name$RIG_ID;
			       mount -t tmpfs tw-lttng /run/lttng &&
			       mount -t tmpfs tw-shm /dev/shm && exec sleep 100000" &
		RIG_HOLD[h]=$!
		RIG_PIDS+=($!)
	done
	sleep 0.3
	for h in 0 1; do
		rig_sh $h "mountpoint -q /dev/shm" || fail "host $h has no private /dev/shm"
		local off=0
		[ $h = 0 ] && off=$(( -skew ))
		# The time holder: programs of the host run in its time namespace.
		nsenter -t "${RIG_HOLD[h]}" --net --mount --uts -- \
			unshare --time --pid --fork --monotonic "$off" sleep 100000 &
		RIG_PIDS+=($!)
	done
	sleep 0.3
	for h in 0 1; do
		RIG_TIME[h]=$(pgrep -P "${RIG_PIDS[h + 2]}" sleep | head -n 1)
		[ -n "${RIG_TIME[h]}" ] || fail "no time namespace for host $h"
		rig_app $h "lttng-sessiond --daemonize --no-kernel" ||
			fail "host $h: no session daemon"
		mkdir -p "$SCRATCH/mnt$h"
		opts=RIG_TEARFS_OPTS$h
		rig_sh $h "$BIN/tearfs '$RIG_BACKING' '$SCRATCH/mnt$h' -o ${!opts:-window_reads}" ||
			fail "host $h: cannot mount tearfs"
	done
	rig_sh 0 "lttng-relayd --daemonize -o '$RIG_RELAY_OUT' \
		-C tcp://${RIG_ADDR[0]}:$RIG_PORT -D tcp://${RIG_ADDR[0]}:$((RIG_PORT + 1)) \
		-L tcp://${RIG_ADDR[0]}:$((RIG_PORT + 2))" || fail "no relay daemon"
	RIG_URL=net://${RIG_ADDR[0]}:$RIG_PORT:$((RIG_PORT + 1))
	echo "rig: hosts twa$RIG_ID, twb$RIG_ID; relay $RIG_URL; skew of A ${skew} s"
}

# rig_run HOST ARGS...: tornwatch run --relay on the host, in its time namespace.
rig_run() {
	local h=$1
	shift
	rig_app "$h" "cd '$SCRATCH' && '$TW' run -o '$SCRATCH/local$h' --relay '$RIG_URL' -- $*"
}
