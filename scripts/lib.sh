# shellcheck shell=bash
# Shared helpers for the mmapdemo scripts: paths, messages and the
# kernel matrix. Sourced, never run on its own.

MMAPDEMO_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MMAPDEMO_CACHE=${MMAPDEMO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mmapdemo}
MMAPDEMO_BUILD=${MMAPDEMO_BUILD:-$MMAPDEMO_TOP/build}

# The kernels "make check" boots by default, by short name.
MMAPDEMO_DEFAULT_KERNELS="6.1 6.12 6.12-rt 7.3 7.3-rt debug"

msg() { printf '%s\n' "$*" >&2; }
die() { printf '%s: error: %s\n' "${0##*/}" "$*" >&2; exit 1; }

# kernel_metapkg NAME -> the Debian meta package of the image for NAME.
kernel_metapkg() {
	case "$1" in
	6.1) echo linux-image-amd64 ;;
	6.1-rt) echo linux-image-rt-amd64 ;;
	6.12) echo linux-image-6.12-amd64 ;;
	6.12-rt) echo linux-image-6.12-rt-amd64 ;;
	7.3) echo linux-image-amd64 ;;
	7.3-rt) echo linux-image-rt-amd64 ;;
	*) return 1 ;;
	esac
}

# kernel_suite NAME -> the suite whose meta package NAME is, if not the
# host's own: 7.x is trixie-backports', resolved through the apt of the
# trixie root of scripts/build-root, where its modules are built too.
kernel_suite() {
	case "$1" in
	7.3 | 7.3-rt) echo trixie-backports ;;
	esac
}

# kernel_in_root RELEASE: does a module for RELEASE build in the trixie
# root? Bookworm's libc cannot run 7.x's kbuild tools.
kernel_in_root() {
	[ "${1%%.*}" -ge 7 ] 2>/dev/null
}

# Print the uname -r of the kernel NAME as the archive has it today,
# resolved through the meta package's dependency.
kernel_release() {
	local meta dep suite
	meta=$(kernel_metapkg "$1") ||
		die "unknown kernel '$1' (known: 6.1 6.1-rt 6.12 6.12-rt 7.3 7.3-rt debug debug-6.12)"
	suite=$(kernel_suite "$1")
	if [ -n "$suite" ]; then
		dep=$(kernel_resolve_in_root "$suite" "$meta")
		if [ -z "$dep" ]; then
			"$MMAPDEMO_TOP/scripts/build-root" update
			dep=$(kernel_resolve_in_root "$suite" "$meta")
		fi
	else
		dep=$(apt-cache depends "$meta" 2>/dev/null |
			sed -n 's/^ *Depends: linux-image-\(.*\)$/\1/p' | head -n 1)
	fi
	dep=${dep%-unsigned}
	[ -n "$dep" ] || die "cannot resolve $meta${suite:+ of $suite} from the package lists (run apt-get update)"
	echo "$dep"
}

# kernel_resolve_in_root SUITE META: the release META of SUITE depends on,
# from the lists of the trixie root.
kernel_resolve_in_root() {
	"$MMAPDEMO_TOP/scripts/build-root" run apt-cache -t "$1" depends "$2" 2>/dev/null |
		sed -n 's/^ *Depends: linux-image-\(.*\)$/\1/p' | head -n 1
}
