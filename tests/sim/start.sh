# start.sh - sourced by tests: starts the simulated adbd (tests/sim/adbd_sim.py) in the
# background, waits for its "PORT n" line, and kills it when the test exits.
#
#   . "$SRCDIR/tests/sim/start.sh"
#   sim_start [adbd_sim.py options...]     # e.g. sim_start --auth accept --fault fail:/sdcard/x
#   echo "$SIM_PORT $SIM_ADDR $SIM_PID $SIM_LOG"
#   sim_stop                               # optional: the EXIT trap stops every sim started
#
# Defaults: --root $SRCDIR/tests/sim/phone (override with SIM_ROOT), --port 0, --log
# $T/sim.N.log. Each call starts one more simulator; SIM_* describe the latest. A simulator
# that does not print its port within SIM_WAIT seconds (30) is killed and sim_start fails.
# A test that sets its own EXIT trap afterwards must call sim_cleanup from it.
# The trap also runs `adb kill-server` when SIM_ADB_SERVER is set (tests/e2e/sim_adb.sh).
: "${SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${T:?tests/sim/start.sh needs \$T (tap_setup)}"
SIM_PIDS=
SIM_N=0

sim_cleanup() {
	for p in $SIM_PIDS; do
		kill "$p" 2>/dev/null
	done
	for p in $SIM_PIDS; do
		wait "$p" 2>/dev/null
	done
	SIM_PIDS=
	if [ -n "${SIM_ADB_SERVER:-}" ]; then
		timeout -k 5 20 adb kill-server >/dev/null 2>&1
	fi
	return 0
}
trap 'st=$?; sim_cleanup; exit $st' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

sim_start() {
	SIM_N=$((SIM_N + 1))
	SIM_LOG=$T/sim.$SIM_N.log
	SIM_OUT=$T/sim.$SIM_N.out
	SIM_ERR=$T/sim.$SIM_N.err
	: >"$SIM_OUT"
	python3 "$SRCDIR/tests/sim/adbd_sim.py" --root "${SIM_ROOT:-$SRCDIR/tests/sim/phone}" \
		--log "$SIM_LOG" "$@" >"$SIM_OUT" 2>"$SIM_ERR" 9>&- &
	SIM_PID=$!
	SIM_PIDS="$SIM_PIDS $SIM_PID"
	SIM_PORT=
	i=0
	while [ "$i" -lt $((${SIM_WAIT:-30} * 20)) ]; do
		SIM_PORT=$(sed -n 's/^PORT \([0-9][0-9]*\)$/\1/p' "$SIM_OUT" | head -n 1)
		[ -n "$SIM_PORT" ] && break
		kill -0 "$SIM_PID" 2>/dev/null || break
		sleep 0.05
		i=$((i + 1))
	done
	if [ -z "$SIM_PORT" ]; then
		echo "# adbd_sim did not start:" >&2
		sed 's/^/#   /' "$SIM_ERR" >&2
		kill "$SIM_PID" 2>/dev/null
		return 1
	fi
	SIM_ADDR=127.0.0.1:$SIM_PORT
	export SIM_PORT SIM_ADDR SIM_PID SIM_LOG
	return 0
}

sim_stop() { # sim_stop [PID]: stops one simulator (default: the latest)
	p=${1:-$SIM_PID}
	kill "$p" 2>/dev/null
	wait "$p" 2>/dev/null
	SIM_PIDS=$(echo "$SIM_PIDS" | tr ' ' '\n' | grep -vx "$p" | tr '\n' ' ')
	return 0
}
