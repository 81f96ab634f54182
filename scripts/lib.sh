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

# The Debian packages each task needs: the one list of them. Scripts and
# make targets ask for theirs by name with "scripts/deps TASK"; "@NAME"
# in a list takes in the list of task NAME. The kernel headers of a
# kernel are asked for by their name (scripts/kernel, make), as they
# follow the archive's kernel version.
#   build         make: the programs (libc headers come with libc6-dev, not
#                 with gcc when installed without recommends) and the module
#   install       make install (depmod)
#   kernel        scripts/kernel: the image's modules (depmod)
#   ksft-headers  the kselftest framework from linux-source-6.12
#   vm            make demo, vm, shell: QEMU, the guest's initramfs
#                 (busybox, modprobe, compressed modules)
#   check         make check's guests: the suite and scripts/guest-check.d
#                 (50-trace records a .dat with trace-cmd)
#   trace, bench  make trace; make bench (scripts/bench plots with gnuplot)
#   lint          make lint: sparse, checkpatch (perl; from linux-source-7.3
#                 in the trixie root, unpacked with xz), git ls-files
#   dkms-check    scripts/dkms-check
#   readme-check  scripts/readme-check: "make shell" runs on scripts/pty-run
#   debug-kernel  scripts/debug-kernel: building Debian's kernel source
#                 (the linux-source package itself comes by name)
#   fresh-root    scripts/fresh-root-check: debootstrap and a mount namespace
#   build-root    scripts/build-root, on the host: debootstrap and chroot
#   trixie-root   what the trixie root of scripts/build-root holds: kbuild,
#                 sparse and the debug kernel's build (the headers and the
#                 kernel source of each kernel come on top, by name)
#   trixie-dkms   scripts/dkms-check in the trixie root (dkms signs what it
#                 builds with a key it makes with openssl)
task_packages() {
	local word
	case "$1" in
	build) set -- make gcc libc6-dev libkmod-dev ;;
	install) set -- @build kmod ;;
	kernel) set -- kmod ;;
	ksft-headers) set -- linux-source-6.12 xz-utils perl ;;
	vm) set -- @build qemu-system-x86 busybox-static kmod cpio gzip xz-utils zstd ;;
	check) set -- @vm @ksft-headers trace-cmd ;;
	trace) set -- @vm trace-cmd ;;
	bench) set -- @vm gnuplot-nox ;;
	lint) set -- @build sparse perl xz-utils git ;;
	dkms-check) set -- @build dkms kmod ;;
	readme-check) set -- @vm python3 ;;
	debug-kernel) set -- make gcc libc6-dev bc bison flex libelf-dev \
		libssl-dev cpio xz-utils kmod util-linux ;;
	fresh-root) set -- debootstrap debian-archive-keyring git util-linux mount tar gzip ;;
	build-root) set -- debootstrap debian-archive-keyring util-linux ;;
	trixie-root) set -- @debug-kernel zstd sparse perl dwarves ;;
	trixie-dkms) set -- dkms openssl ;;
	*) return 1 ;;
	esac
	for word in "$@"; do
		case "$word" in
		@*) task_packages "${word#@}" || return ;;
		*) echo "$word" ;;
		esac
	done
}

# apt_get ARGS...: apt-get as the scripts run it: no questions, and
# waiting for a lock another apt holds (a second run, CI) instead of
# failing at once.
apt_get() {
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 "$@"
}

# apt_refresh: refresh the package lists (as root; otherwise say who
# should). Used once when a package cannot be resolved from the lists there
# are: fresh lists may still lack a suite (a debootstrap root's hold only
# the main suite, not -updates or -security).
apt_refresh() {
	[ "$(id -u)" = 0 ] || die "the package lists lack what is needed; refresh them as root: apt-get update"
	msg "${0##*/}: refreshing the package lists (apt-get update)"
	apt_get update -qq >&2 || die "apt-get update failed"
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
# resolved through the meta package's dependency. When the lists cannot
# resolve it, they are refreshed once and asked again.
kernel_release() {
	local meta dep suite where
	meta=$(kernel_metapkg "$1") ||
		die "unknown kernel '$1' (known: 6.1 6.1-rt 6.12 6.12-rt 7.3 7.3-rt debug debug-6.12)"
	suite=$(kernel_suite "$1")
	dep=$(kernel_image_dep "$meta" "$suite")
	if [ -z "$dep" ]; then
		if [ -n "$suite" ]; then
			"$MMAPDEMO_TOP/scripts/build-root" update
		else
			apt_refresh
		fi
		dep=$(kernel_image_dep "$meta" "$suite")
	fi
	where="are the bookworm, bookworm-updates and bookworm-security sources configured?"
	[ -z "$suite" ] || where="does the trixie root of scripts/build-root reach $suite?"
	[ -n "$dep" ] || die "cannot resolve $meta${suite:+ of $suite} from the package lists, even refreshed: $where"
	echo "$dep"
}

# kernel_image_dep META [SUITE]: the release META's image dependency
# names in the lists as they are (of SUITE in the trixie root), or
# nothing.
kernel_image_dep() {
	local out dep
	# Read in full: a reader that stops early would fail the pipe.
	if [ -n "${2:-}" ]; then
		# apt-cache's own errors are hidden below, not the root's.
		"$MMAPDEMO_TOP/scripts/build-root" run true ||
			die "the trixie build root cannot run commands here (see above)"
		out=$("$MMAPDEMO_TOP/scripts/build-root" run apt-cache -t "$2" depends "$1" 2>/dev/null) || true
	else
		out=$(apt-cache depends "$1" 2>/dev/null) || true
	fi
	dep=$(sed -n 's/^ *Depends: linux-image-\(.*\)$/\1/p' <<<"$out" | sed -n 1p)
	echo "${dep%-unsigned}"
}

# The fresh roots scripts/fresh-root-check proves the front door in, by
# name. fresh_root NAME sets, for root NAME: root_suite (the Debian suite
# debootstrap makes it of), root_sources (its sources.list: a user's
# standard sources, whose lists debootstrap leaves holding only the main
# suite) and root_kernels (the kernels of its quick "make check"). The
# bookworm root's "make demo" boots 6.12 (bookworm-security) and its
# quick check 7.3 (trixie-backports, built in the trixie root that
# scripts/build-root makes there), so one guest covers both ways in.
MMAPDEMO_FRESH_ROOTS="bookworm"
# shellcheck disable=SC2034 # root_* are the caller's
fresh_root() {
	local mirror=${MMAPDEMO_DEBIAN_MIRROR:-http://deb.debian.org/debian}
	local security=${MMAPDEMO_DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
	case "$1" in
	bookworm)
		root_suite=bookworm
		root_sources="deb $mirror bookworm main
deb $mirror bookworm-updates main
deb $security bookworm-security main"
		root_kernels=7.3
		;;
	*) return 1 ;;
	esac
	root_mirror=$mirror
}
