# shellcheck shell=bash
# Loading and unloading the module inside a guest: through the project's
# libkmod loader (build/bin/mmapdemo) when it is built, else through
# kmod's insmod/rmmod. Sourced by scripts/guest-init.

module_load() {
	local tool="$MMAPDEMO_TOP/build/bin/mmapdemo"

	if [ -x "$tool" ]; then
		"$tool" load --path "$MMAPDEMO_KO" "$@"
	else
		insmod "$MMAPDEMO_KO" "$@"
	fi
}

module_unload() {
	local tool="$MMAPDEMO_TOP/build/bin/mmapdemo"

	if [ -x "$tool" ]; then
		"$tool" unload
	else
		rmmod mmapdemo
	fi
}
