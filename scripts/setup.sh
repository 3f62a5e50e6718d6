#!/bin/sh
# Build set-up: install the Debian 12 packages the build and the tests need,
# then fetch the sources of lwIP and mbedTLS, which the image compiles
# freestanding and Debian ships for that only as source packages.
#
# Called by the Makefile as  LWIP_DIR=... MBEDTLS_DIR=... BUILD=... sh scripts/setup.sh
# Idempotent; when everything is present it only asks dpkg and returns.

set -eu

BUILD=${BUILD:-build}
LWIP_DIR=${LWIP_DIR:-$BUILD/lwip-2.1.3}
LWIP_VERSION=2.1.3+dfsg1-2
MBEDTLS_DIR=${MBEDTLS_DIR:-$BUILD/mbedtls-2.28.3}
MBEDTLS_VERSION=2.28.3-1
SCRIPTS=$(cd "$(dirname "$0")" && pwd)

# clang and libclang-rt-14-dev give libFuzzer (Debian 12 splits the runtime
# out); dpkg-dev lets apt-get source work; the emulators and firmware run
# the integration tests; mtools, dosfstools and gdisk build the disk image;
# iproute2 (ip, tc) makes the tests' private tap networks; gnuplot-nox
# draws the migration benchmark's plot (bench/migrate.py).
PACKAGES="gcc make binutils gnu-efi python3 clang libclang-rt-14-dev bochs
bochsbios vgabios qemu-system-x86 ovmf mtools dosfstools gdisk dpkg-dev
xz-utils ca-certificates iproute2 gnuplot-nox"

die()
{
	printf 'setup: %s\n' "$*" >&2
	exit 1
}

as_root()
{
	if [ "$(id -u)" -eq 0 ]; then
		"$@"
	elif command -v sudo >/dev/null 2>&1; then
		sudo "$@"
	else
		die "need root (or sudo) to run: $*"
	fi
}

# Print the packages of $PACKAGES that are not fully installed. One dpkg
# call: a call per package would make the quick path slow.
missing_packages()
{
	# shellcheck disable=SC2086 # word splitting of the list is wanted
	installed=$(dpkg-query -W -f='${Package} ${Status}\n' $PACKAGES \
		2>/dev/null | awk '/ install ok installed$/ { printf "%s ", $1 }') || true
	for pkg in $PACKAGES; do
		case " $installed" in
		*" $pkg "*) ;;
		*) printf '%s ' "$pkg" ;;
		esac
	done
}

install_packages()
{
	command -v dpkg-query >/dev/null 2>&1 ||
		die "dpkg-query not found: this set-up expects Debian 12 (apt/dpkg)"
	missing=$(missing_packages)
	[ -z "$missing" ] && return 0
	command -v apt-get >/dev/null 2>&1 ||
		die "apt-get not found; install these packages by hand: $missing"
	echo "setup: installing Debian packages: $missing"
	export DEBIAN_FRONTEND=noninteractive
	as_root apt-get update ||
		die "apt-get update failed (no network?); missing: $missing"
	# shellcheck disable=SC2086
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y \
		--no-install-recommends $missing ||
		die "apt-get install failed; missing: $missing"
}

# deb822 stanzas of the Debian archive, turned into deb-src stanzas. Only
# stanzas signed by Debian's archive key (or, lacking Signed-By, pointing
# at a .../debian URI) are kept: third-party repositories publish no lwip.
derive_deb822()
{
	awk 'BEGIN { RS = ""; FS = "\n" }
	{
		signed = 0; debkey = 0; debian = 0; foreign = 0; out = ""
		for (i = 1; i <= NF; i++) {
			l = tolower($i)
			if (l ~ /^signed-by:/) signed = 1
			if (l ~ /debian-archive-keyring/) debkey = 1
			if (l ~ /^uris:/ && l ~ /debian/) debian = 1
			if (l ~ /^uris:/ && l ~ /nodesource|google/) foreign = 1
		}
		if (foreign || !(debkey || (!signed && debian)))
			next
		for (i = 1; i <= NF; i++) {
			if ($i ~ /^#/)
				continue
			if (tolower($i) ~ /^types:/)
				$i = "Types: deb-src"
			out = out $i "\n"
		}
		printf "%s\n", out
	}' "$@"
}

# One-line "deb ..." entries of the Debian archive, as "deb-src ...".
derive_oneline()
{
	sed -n -e '/nodesource\|google/d' \
		-e 's/^[[:space:]]*deb[[:space:]]\(.*debian.*\)$/deb-src \1/p' "$@"
}

# A private apt configuration under $BUILD/apt: the system's apt state and
# sources stay untouched, and no mirror name is ever written to the repo.
write_apt_config()
{
	mkdir -p "$APT_DIR/sources.list.d" "$APT_DIR/lists/partial" \
		"$APT_DIR/cache/archives/partial" "$APT_DIR/src"
	: >"$APT_DIR/sources.list"
	rm -f "$APT_DIR/sources.list.d/"*
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] && derive_oneline "$f" >>"$APT_DIR/sources.list"
	done
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		derive_deb822 "$f" >"$APT_DIR/sources.list.d/$(basename "$f")"
	done
	cat "$APT_DIR/sources.list" "$APT_DIR/sources.list.d/"* 2>/dev/null |
		grep -q '^\(deb-src\|Types: deb-src\)' ||
		die "no Debian archive entry in /etc/apt/sources.list{,.d} to derive deb-src from"
}

apt_private()
{
	apt-get -q \
		-o "Dir::Etc::SourceList=$APT_DIR/sources.list" \
		-o "Dir::Etc::SourceParts=$APT_DIR/sources.list.d" \
		-o "Dir::State::Lists=$APT_DIR/lists" \
		-o "Dir::Cache=$APT_DIR/cache" \
		-o "Acquire::Languages=none" \
		-o "APT::Sandbox::User=$(id -un)" \
		"$@"
}

# Download Debian source package $1 (version $2 preferred) into $APT_DIR/src.
download_source()
{
	pkg=$1 version=$2
	command -v apt-get >/dev/null 2>&1 ||
		die "apt-get not found: cannot fetch $pkg; unpack its source into the build directory by hand"
	write_apt_config
	echo "setup: fetching $pkg $version source with apt-get source"
	# One suite failing need not stop us: the source may be in another.
	why="no deb-src entry offers $pkg"
	apt_private --error-on=any update ||
		why="apt-get update failed: no network or no reachable archive"
	(cd "$APT_DIR/src" &&
		{ apt_private source --download-only "$pkg=$version" ||
		  apt_private source --download-only "$pkg"; }) ||
		die "cannot download $pkg's source ($why)"
}

# Unpack the verified .orig tarball $1 into directory $2, whose top must
# hold file $3 (the tarballs name their top directory differently).
# Debian's patches are not applied. lwIP's change only the sockets and
# tcpip APIs, PPP (CVE-2020-8597), its Unix port and CMake, none of which
# the image builds; mbedtls 2.28.3-1 has none.
unpack_source()
{
	tarball=$1 dir=$2 marker=$3
	tmp="$dir.tmp"
	rmdir "$dir" 2>/dev/null || true # an empty directory is no obstacle
	[ -e "$dir" ] && die "$dir exists without $marker; remove it"
	rm -rf "$tmp"
	mkdir -p "$tmp"
	tar -xf "$tarball" -C "$tmp"
	found=$(find "$tmp" -path "*/$marker" | head -n 1)
	[ -n "$found" ] || die "$tarball holds no $marker"
	mv "${found%/"$marker"}" "$dir"
	rm -rf "$tmp"
}

# fetch_source PKG VERSION DIR SHA256-FILE MARKER: the orig tarball named
# in SHA256-FILE, downloaded once, checked, unpacked into DIR.
fetch_source()
{
	pkg=$1 version=$2 dir=$3 sumfile=$4 marker=$5
	[ -f "$dir/$marker" ] && return 0
	mkdir -p "$BUILD/apt"
	APT_DIR=$(cd "$BUILD/apt" && pwd)
	# shellcheck disable=SC2046
	set -- $(grep -v '^#' "$sumfile")
	sum=$1 name=$2
	[ -f "$APT_DIR/src/$name" ] || download_source "$pkg" "$version"
	[ -f "$APT_DIR/src/$name" ] ||
		die "apt-get source did not produce $name (Debian's $pkg version changed?)"
	(cd "$APT_DIR/src" && echo "$sum  $name" | sha256sum -c --status) ||
		die "$name: SHA-256 mismatch (expected $sum)"
	unpack_source "$APT_DIR/src/$name" "$dir" "$marker"
	echo "setup: $pkg source in $dir"
}

install_packages
fetch_source lwip "$LWIP_VERSION" "$LWIP_DIR" "$SCRIPTS/lwip.sha256" src/core/init.c
fetch_source mbedtls "$MBEDTLS_VERSION" "$MBEDTLS_DIR" "$SCRIPTS/mbedtls.sha256" library/ssl_tls.c
