#!/usr/bin/env bash
# Installs the Debian packages that building and testing Roost need, when they are missing.
# A second run finds everything in place and returns at once without touching apt.
set -euo pipefail

is_installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

# What is missing, as Debian package names:
# - libsodium-dev: the CSodium system library target (headers + libsodium.so);
# - pkg-config: how SwiftPM finds libsodium's flags (`pkgConfig: "libsodium"` in Package.swift).
#   The command is enough (Debian 12's pkgconf provides it too).
# - python3: the example web job serves with `python3 -m http.server`, and the end-to-end
#   tests run it as a task; curl: `make run` shows the web job answering.
missing_packages() {
    is_installed libsodium-dev || echo libsodium-dev
    command -v pkg-config >/dev/null 2>&1 || echo pkg-config
    command -v python3 >/dev/null 2>&1 || echo python3
    command -v curl >/dev/null 2>&1 || echo curl
}

if ! command -v dpkg-query >/dev/null 2>&1; then
    # Not Debian/Ubuntu: check what the build actually needs and say how to get it.
    if command -v pkg-config >/dev/null 2>&1 && pkg-config --exists libsodium; then
        exit 0
    fi
    echo "install-deps: this is not a Debian-based system, so nothing was installed." >&2
    echo "install-deps: Roost needs libsodium (with headers) and pkg-config; install them with your" >&2
    echo "install-deps: package manager (e.g. 'brew install libsodium pkg-config'), then run make again." >&2
    exit 1
fi

# The oci driver's tests run real containers: crun (and runc, the fallback), busybox-static
# for the image they build, docker-registry (Debian's distribution server) and skopeo to push
# to it; iproute2 and iptables for bridge networking. Those tests need root and skip without it, so the packages are installed only as root.
missing_container_packages() {
    [[ $(id -u) -eq 0 ]] || return 0
    command -v crun >/dev/null 2>&1 || echo crun
    command -v runc >/dev/null 2>&1 || echo runc
    [[ -x /bin/busybox ]] || echo busybox-static
    [[ -x /usr/bin/docker-registry ]] || echo docker-registry
    command -v skopeo >/dev/null 2>&1 || echo skopeo
    # Bridge networking (network { mode = "bridge" }) sets up namespaces, veth pairs and port
    # mappings with the system's ip and iptables.
    [[ -x /usr/sbin/ip || -x /sbin/ip || -x /bin/ip ]] || echo iproute2
    [[ -x /usr/sbin/iptables || -x /sbin/iptables ]] || echo iptables
}

read -r -a missing <<<"$(missing_packages | tr '\n' ' ')"
read -r -a missing_containers <<<"$(missing_container_packages | tr '\n' ' ')"
if [[ ${#missing_containers[@]} -gt 0 ]]; then
    echo "install-deps: installing the container test packages: ${missing_containers[*]}"
    export DEBIAN_FRONTEND=noninteractive
    # docker-registry's postinst would start a registry on :5000; policy-rc.d (exit 101) stops that.
    added_policy=""
    if [[ ! -e /usr/sbin/policy-rc.d ]]; then
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && added_policy=1
    fi
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing_containers[@]}" ||
        echo "install-deps: could not install ${missing_containers[*]}; the container tests will skip" >&2
    [[ -z $added_policy ]] || rm -f /usr/sbin/policy-rc.d
fi

if [[ ${#missing[@]} -eq 0 ]]; then
    exit 0
fi

if [[ $(id -u) -eq 0 ]]; then
    run_as_root=()
elif command -v sudo >/dev/null 2>&1; then
    run_as_root=(sudo)
else
    echo "install-deps: the packages ${missing[*]} are missing, and installing them needs root." >&2
    echo "install-deps: run as root:  apt-get update && apt-get install -y ${missing[*]}" >&2
    echo "install-deps: (or install sudo), then run make again." >&2
    exit 1
fi

echo "install-deps: installing missing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${run_as_root[@]}" apt-get update -qq
"${run_as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"

still_missing=$(missing_packages | tr '\n' ' ')
if [[ -n "$still_missing" ]]; then
    echo "install-deps: still missing after apt-get: $still_missing; see the messages above." >&2
    exit 1
fi
echo "install-deps: done"
