#!/usr/bin/env bash
# Builds the OSP image (`osp:latest`) from the Dockerfile.
#
# The base is python:3.11-slim when Docker can use it (already present, or `docker pull`
# works). Without a reachable registry the script builds a local base instead,
# osp-base:bookworm: Debian bookworm from deb.debian.org by debootstrap (minbase +
# python3, python3-venv, ca-certificates, security updates applied), imported with
# `docker import`, and builds the Dockerfile on it (--build-arg BASE_IMAGE=...). The
# build still needs deb.debian.org (gettext) and PyPI (requirements.lock).
#
# Settings (environment):
#   IMAGE=osp:latest            the tag to build
#   BASE_IMAGE=...              use this base and skip the detection above
#   LOCAL_BASE=osp-base:bookworm  the tag of the local base
#   REBUILD_BASE=1              rebuild the local base even if it exists
#   DEBIAN_MIRROR=http://deb.debian.org/debian
#   DEBIAN_SECURITY_MIRROR=http://deb.debian.org/debian-security
#   HOST_CA_CERTS=1             copy this host's extra CAs (/usr/local/share/ca-certificates)
#                               into the local base, for TLS-intercepting proxies; 0: don't
#   BUILD_NETWORK=auto          auto: the default bridge if containers can reach the
#                               mirrors from it, else host; or bridge / host
#   PULL_TIMEOUT=120            seconds to try `docker pull` of the official base
set -euo pipefail

cd "$(dirname "$0")/.."

IMAGE=${IMAGE:-osp:latest}
OFFICIAL_BASE=python:3.11-slim
LOCAL_BASE=${LOCAL_BASE:-osp-base:bookworm}
REBUILD_BASE=${REBUILD_BASE:-0}
DEBIAN_MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
DEBIAN_SECURITY_MIRROR=${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
HOST_CA_CERTS=${HOST_CA_CERTS:-1}
BUILD_NETWORK=${BUILD_NETWORK:-auto}
PULL_TIMEOUT=${PULL_TIMEOUT:-120}

log() { printf '[build_image %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
die() { printf 'build_image.sh: %s\n' "$*" >&2; exit 1; }

command -v docker >/dev/null 2>&1 || die "docker not found"
docker info >/dev/null 2>&1 || die "the Docker engine does not answer (docker info); start dockerd"

# Docker's CLI builds with BuildKit through the buildx plugin; without the plugin (as with
# Debian's docker.io on some set-ups) fall back to the classic builder.
if [ -z "${DOCKER_BUILDKIT:-}" ] && ! docker buildx version >/dev/null 2>&1; then
    log "docker buildx is not installed: using the classic builder (DOCKER_BUILDKIT=0)"
    export DOCKER_BUILDKIT=0
fi

build_local_base() {
    if [ "$(id -u)" != 0 ]; then
        die "building $LOCAL_BASE needs root (debootstrap, chroot)"
    fi
    if ! command -v debootstrap >/dev/null 2>&1; then
        log "installing debootstrap"
        apt-get update -qq && apt-get install -y -qq debootstrap >/dev/null
    fi
    local root
    root=$(mktemp -d /tmp/osp-base.XXXXXX)
    # Unmount anything left mounted in the tree before removing it.
    # shellcheck disable=SC2064
    trap "awk -v r='$root/' 'index(\$2, r) == 1 {print \$2}' /proc/mounts | sort -r \
          | xargs -r umount -l; rm -rf --one-file-system '$root'" EXIT

    log "debootstrap bookworm (minbase + python3 python3-venv ca-certificates) into $root"
    debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates \
        bookworm "$root" "$DEBIAN_MIRROR" >"$root.log" 2>&1 \
        || { tail -20 "$root.log" >&2; die "debootstrap failed (full log: $root.log)"; }
    rm -f "$root.log"

    cat >"$root/etc/apt/sources.list" <<EOF
deb $DEBIAN_MIRROR bookworm main
deb $DEBIAN_MIRROR bookworm-updates main
deb $DEBIAN_SECURITY_MIRROR bookworm-security main
EOF
    # As in Debian's official (slim) images: no services start from package scripts, apt
    # keeps no downloaded packages, dpkg installs no documentation or translations.
    printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
    chmod 755 "$root/usr/sbin/policy-rc.d"
    cat >"$root/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
    echo 'Acquire::Languages "none";' >"$root/etc/apt/apt.conf.d/docker-no-languages"
    cat >"$root/etc/dpkg/dpkg.cfg.d/docker" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
EOF

    if [ "$HOST_CA_CERTS" = 1 ] && compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
        log "adding this host's extra CA certificates to $LOCAL_BASE:" \
            /usr/local/share/ca-certificates/*.crt
        cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
        chroot "$root" update-ca-certificates >/dev/null 2>&1
    fi

    log "applying bookworm-updates and bookworm-security"
    mount -t proc proc "$root/proc"
    chroot "$root" sh -c 'export DEBIAN_FRONTEND=noninteractive;
        apt-get update -qq && apt-get upgrade -y -qq >/dev/null && apt-get clean' \
        || die "apt-get upgrade in the new base failed"
    umount "$root/proc"
    rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/log/apt/*
    # What the dpkg excludes above keep out of later installs, out of this tree too.
    find "$root/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
    find "$root/usr/share/doc" -mindepth 1 -type d -empty -delete
    rm -rf "$root"/usr/share/{man,groff,info,lintian,linda,locale}/*
    : >"$root/etc/resolv.conf"

    log "importing the tree as $LOCAL_BASE"
    tar --numeric-owner --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' \
        -C "$root" -c . \
        | docker import \
            --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
            --change 'ENV LANG=C.UTF-8' \
            --change 'CMD ["bash"]' \
            - "$LOCAL_BASE" >/dev/null
    rm -rf --one-file-system "$root"
    trap - EXIT
    log "$LOCAL_BASE: $(docker image inspect -f '{{.Size}}' "$LOCAL_BASE" | awk '{printf "%.0f MB", $1/1e6}')"
}

# --- The base image -----------------------------------------------------------------
if [ -n "${BASE_IMAGE:-}" ]; then
    base=$BASE_IMAGE
    log "base: $base (BASE_IMAGE)"
elif docker image inspect "$OFFICIAL_BASE" >/dev/null 2>&1; then
    base=$OFFICIAL_BASE
    log "base: $base (present locally)"
elif log "trying docker pull $OFFICIAL_BASE" \
        && timeout "$PULL_TIMEOUT" docker pull -q "$OFFICIAL_BASE" >/dev/null 2>&1; then
    base=$OFFICIAL_BASE
    log "base: $base (pulled)"
else
    base=$LOCAL_BASE
    log "cannot pull $OFFICIAL_BASE (no registry access): using the local base $base"
    if [ "$REBUILD_BASE" = 1 ] || ! docker image inspect "$base" >/dev/null 2>&1; then
        build_local_base
    else
        log "$base exists (REBUILD_BASE=1 rebuilds it)"
    fi
fi

# --- The network the build steps use ------------------------------------------------
# The RUN steps fetch from deb.debian.org and pypi.org. On some hosts containers on the
# default bridge have no DNS or no route; the host network then works.
probe='import urllib.request as u
for url in ("http://deb.debian.org/debian/dists/bookworm/InRelease", "https://pypi.org/simple/pip/"):
    u.urlopen(url, timeout=20).read(1)'
reachable() {  # $1: bridge | host
    docker run --rm --network "$1" --entrypoint python3 "$base" -c "$probe" >/dev/null 2>&1
}
network_args=()
case "$BUILD_NETWORK" in
    bridge) ;;
    host) network_args=(--network host) ;;
    auto)
        if reachable bridge; then
            log "network: containers reach deb.debian.org and pypi.org from the default bridge"
        elif reachable host; then
            log "network: only with --network host; building with it"
            network_args=(--network host)
        else
            die "containers on $base reach neither deb.debian.org nor pypi.org (tried bridge and host networks)"
        fi ;;
    *) die "BUILD_NETWORK must be auto, bridge or host" ;;
esac

# --- The image ----------------------------------------------------------------------
log "docker build -t $IMAGE --build-arg BASE_IMAGE=$base ${network_args[*]} ."
start=$(date +%s)
docker build "${network_args[@]}" --build-arg "BASE_IMAGE=$base" -t "$IMAGE" .
log "built $IMAGE in $(( $(date +%s) - start ))s on $base"
docker image inspect -f '{{.Size}}' "$IMAGE" \
    | awk -v i="$IMAGE" '{printf "[build_image] %s: %.0f MB\n", i, $1/1e6}'
