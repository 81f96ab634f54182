#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run the mmapdemo selftests as test_hmm.sh runs hmm-tests: skip (exit 4)
# unless root and the module is available, run the programs that load the
# module themselves, then load it, run the rest, and unload it.
# The module file: $MMAPDEMO_KO, else the build tree's module for the
# running kernel, else the installed one. Programs: $MMAPDEMO_TESTS, or all.
set -euo pipefail

ksft_skip=4
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
release=$(uname -r)

if [ "$(id -u)" != 0 ]; then
	echo "# mmapdemo_test.sh: not root: skipping"
	exit "$ksft_skip"
fi

if [ -z "${MMAPDEMO_KO:-}" ]; then
	for ko in "$top/build/$release/driver/mmapdemo.ko" "$top/driver/mmapdemo.ko"; do
		if [ -f "$ko" ] && modinfo -F vermagic "$ko" 2>/dev/null |
			grep -q "^$release "; then
			MMAPDEMO_KO=$ko
			break
		fi
	done
fi
if [ -z "${MMAPDEMO_KO:-}" ] && ! modinfo mmapdemo >/dev/null 2>&1; then
	echo "# mmapdemo_test.sh: no mmapdemo.ko for $release (build it, or set MMAPDEMO_KO): skipping"
	exit "$ksft_skip"
fi
export MMAPDEMO_KO=${MMAPDEMO_KO:-}

tool=$top/build/bin/mmapdemo
load() {
	if [ -x "$tool" ]; then
		"$tool" load ${MMAPDEMO_KO:+--path "$MMAPDEMO_KO"} "$@" >/dev/null
	elif [ -n "$MMAPDEMO_KO" ]; then
		insmod "$MMAPDEMO_KO" "$@"
	else
		modprobe mmapdemo "$@"
	fi
}
unload() {
	if [ -x "$tool" ]; then
		"$tool" unload >/dev/null
	else
		rmmod mmapdemo
	fi
}

if [ -e /sys/module/mmapdemo ]; then
	echo "# mmapdemo_test.sh: unloading the mmapdemo already loaded"
	unload
fi

# Programs that load and unload the module themselves come first.
self_loading="mmapdemo_module mmapdemo_faultinject"
tests=${MMAPDEMO_TESTS:-$(cd "$here" && ls mmapdemo_* | grep -v '\.' || true)}
if [ -z "$tests" ]; then
	echo "# mmapdemo_test.sh: no test programs are built: run make -C selftests"
	exit 1
fi
status=0

# Where the driver has no huge mode, mmapdemo_huge runs only the test that
# asserts that this is the kernel's answer, and the mode matrix of the
# other programs leaves out its huge variants. The self-loading programs
# run before the module is loaded: ask the driver once, now.
if ! load; then
	echo "# mmapdemo_test.sh: loading $MMAPDEMO_KO failed"
	exit 1
fi
modes=$(cat /sys/class/misc/mmapdemo/modes)
unload
run() {
	local args=()
	if ! grep -qw huge <<<"$modes"; then
		if [ "$1" = mmapdemo_huge ]; then
			echo "# mmapdemo_huge: the driver takes no huge mode here ($modes): only huge_mode_is_the_kernels runs"
			args=(-F huge)
		else
			args=(-V huge_shared -V huge_private)
		fi
	fi
	echo "# running $1"
	"$here/$1" "${args[@]}" || status=1
}

for t in $tests; do
	case " $self_loading " in
	*" $t "*) run "$t" ;;
	esac
done

if ! load; then
	echo "# mmapdemo_test.sh: loading $MMAPDEMO_KO failed"
	exit 1
fi
for t in $tests; do
	case " $self_loading " in
	*" $t "*) ;;
	*) run "$t" ;;
	esac
done
if ! unload; then
	echo "# mmapdemo_test.sh: unloading mmapdemo failed"
	status=1
fi
exit "$status"
