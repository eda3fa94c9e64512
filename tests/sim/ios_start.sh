# ios_start.sh - sourced by tests: starts the simulated iPhone (tests/sim/iphone_sim.py) as a
# fake usbmuxd on a Unix socket, waits for its "READY <socket>" line, points libimobiledevice
# at it and stops it when the test exits.
#
#   . "$SRCDIR/tests/sim/ios_start.sh"
#   ios_sim_start [iphone_sim.py options...]   # e.g. ios_sim_start --backup "$S/ios-backup"
#   echo "$IOS_SIM_SOCK $IOS_SIM_PID $IOS_SIM_LOG $IOS_SIM_UDID"
#   idevicebackup2 backup --full "$T/out"      # USBMUXD_SOCKET_ADDRESS=UNIX:$IOS_SIM_SOCK is exported
#   ios_sim_stop                               # optional: the EXIT trap stops every sim started
#
# Each call starts one more simulator on its own socket $T/ios.N.sock (log $T/ios.N.log,
# stdout/stderr $T/ios.N.out/.err); IOS_SIM_* and USBMUXD_SOCKET_ADDRESS describe the latest.
# --socket and --log may be given to override. A simulator that is not READY within
# IOS_SIM_WAIT seconds (30) is killed and ios_sim_start fails. Only PIDs started here are
# killed. A test that sets its own EXIT trap afterwards must call ios_sim_cleanup from it.
# Unix socket paths are limited to 108 bytes: when $T (or IOS_SIM_DIR) is longer than 80, the
# sockets go to a mktemp -d directory under /tmp, removed at exit.
: "${SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${T:?tests/sim/ios_start.sh needs \$T (tap_setup)}"
IOS_SIM_PIDS=
IOS_SIM_N=0
IOS_SIM_SHORT=

ios_sim_cleanup() {
	for p in $IOS_SIM_PIDS; do
		kill "$p" 2>/dev/null
	done
	for p in $IOS_SIM_PIDS; do
		wait "$p" 2>/dev/null
	done
	IOS_SIM_PIDS=
	[ -n "${IOS_SIM_SHORT:-}" ] && rm -rf "$IOS_SIM_SHORT"
	IOS_SIM_SHORT=
	return 0
}
trap 'st=$?; ios_sim_cleanup; exit $st' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

ios_sim_start() {
	IOS_SIM_N=$((IOS_SIM_N + 1))
	_d=${IOS_SIM_DIR:-$T}
	if [ ${#_d} -gt 80 ]; then # sun_path holds 108 bytes
		[ -n "$IOS_SIM_SHORT" ] || IOS_SIM_SHORT=$(mktemp -d /tmp/ios-sim.XXXXXX) || return 1
		_d=$IOS_SIM_SHORT
	fi
	IOS_SIM_SOCK=$_d/ios.$IOS_SIM_N.sock
	IOS_SIM_LOG=$T/ios.$IOS_SIM_N.log
	IOS_SIM_UDID=00008101-001C2D3E4F50A01E
	_prev=
	for _a in "$@"; do
		case $_prev in
		--socket) IOS_SIM_SOCK=$_a ;;
		--log) IOS_SIM_LOG=$_a ;;
		--udid) IOS_SIM_UDID=$_a ;;
		esac
		case $_a in
		--socket=*) IOS_SIM_SOCK=${_a#--socket=} ;;
		--log=*) IOS_SIM_LOG=${_a#--log=} ;;
		--udid=*) IOS_SIM_UDID=${_a#--udid=} ;;
		esac
		_prev=$_a
	done
	_out=$T/ios.$IOS_SIM_N.out
	_err=$T/ios.$IOS_SIM_N.err
	: >"$_out"
	python3 "$SRCDIR/tests/sim/iphone_sim.py" --socket "$IOS_SIM_SOCK" --log "$IOS_SIM_LOG" "$@" \
		>"$_out" 2>"$_err" 9>&- &
	IOS_SIM_PID=$!
	IOS_SIM_PIDS="$IOS_SIM_PIDS $IOS_SIM_PID"
	_i=0
	_ready=
	while [ "$_i" -lt $((${IOS_SIM_WAIT:-30} * 20)) ]; do
		if grep -q '^READY ' "$_out" 2>/dev/null; then
			_ready=1
			break
		fi
		kill -0 "$IOS_SIM_PID" 2>/dev/null || break
		sleep 0.05
		_i=$((_i + 1))
	done
	if [ -z "$_ready" ]; then
		echo "# iphone_sim did not start:" >&2
		sed 's/^/#   /' "$_err" >&2
		kill "$IOS_SIM_PID" 2>/dev/null
		return 1
	fi
	USBMUXD_SOCKET_ADDRESS=UNIX:$IOS_SIM_SOCK
	export IOS_SIM_SOCK IOS_SIM_PID IOS_SIM_LOG IOS_SIM_UDID USBMUXD_SOCKET_ADDRESS
	return 0
}

ios_sim_stop() { # ios_sim_stop [PID]: stops one simulator (default: the latest)
	_p=${1:-$IOS_SIM_PID}
	kill "$_p" 2>/dev/null
	wait "$_p" 2>/dev/null
	IOS_SIM_PIDS=$(echo "$IOS_SIM_PIDS" | tr ' ' '\n' | grep -vx "$_p" | tr '\n' ' ')
	return 0
}
