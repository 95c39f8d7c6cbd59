#!/bin/sh
# Installs the Debian 12 packages kinesim needs, through sudo when not root. Quiet and quick
# when everything is present; safe to run again.
set -eu

# clang and libclang-rt-dev (its libFuzzer and sanitizer runtimes): the fuzzing build.
# python3-pandas, -xarray and -h5netcdf: the analysis tests of the documented one-liners.
# libopenmpi-dev and openmpi-bin (mpirun): the MPI build (meson -Dmpi=enabled) and its tests.
packages="gcc pkg-config meson ninja-build libgsl-dev libyaml-dev libhdf5-dev libcmocka-dev
libmd-dev python3-h5py python3-numpy python3-matplotlib python3-pandas python3-xarray
python3-h5netcdf clang libclang-rt-dev libopenmpi-dev openmpi-bin"

missing=""
for p in $packages; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
	sudo=""
elif command -v sudo >/dev/null 2>&1; then
	sudo="sudo"
else
	echo "setup: these packages are missing:$missing" >&2
	echo "setup: run as root, or install sudo, to install them" >&2
	exit 1
fi
echo "setup: installing$missing" >&2
$sudo apt-get update -qq
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
