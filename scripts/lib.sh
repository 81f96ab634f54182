# shellcheck shell=bash
# Shared helpers for the mmapdemo scripts: paths, messages and the
# kernel matrix. Sourced, never run on its own.

MMAPDEMO_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MMAPDEMO_CACHE=${MMAPDEMO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mmapdemo}
MMAPDEMO_BUILD=${MMAPDEMO_BUILD:-$MMAPDEMO_TOP/build}

# The kernels "make check" boots by default, by short name.
MMAPDEMO_DEFAULT_KERNELS="6.1 6.12 6.12-rt debug"

msg() { printf '%s\n' "$*" >&2; }
die() { printf '%s: error: %s\n' "${0##*/}" "$*" >&2; exit 1; }

# kernel_metapkg NAME -> the Debian meta package of the image for NAME.
kernel_metapkg() {
	case "$1" in
	6.1) echo linux-image-amd64 ;;
	6.1-rt) echo linux-image-rt-amd64 ;;
	6.12) echo linux-image-6.12-amd64 ;;
	6.12-rt) echo linux-image-6.12-rt-amd64 ;;
	*) return 1 ;;
	esac
}

# Print the uname -r of the kernel NAME as the archive has it today,
# resolved through the meta package's dependency.
kernel_release() {
	local meta dep
	meta=$(kernel_metapkg "$1") || die "unknown kernel '$1' (known: 6.1 6.1-rt 6.12 6.12-rt debug)"
	dep=$(apt-cache depends "$meta" 2>/dev/null |
		sed -n 's/^ *Depends: linux-image-\(.*\)$/\1/p' | head -n 1)
	dep=${dep%-unsigned}
	[ -n "$dep" ] || die "cannot resolve $meta from the package lists (run apt-get update)"
	echo "$dep"
}
