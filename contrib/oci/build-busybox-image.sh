#!/usr/bin/env bash
# Builds a small busybox image as an OCI image layout, with no registry and no network: the
# static busybox of Debian's busybox-static, one symlink per applet, /etc/passwd and group.
# The example job jobspecs/busybox-oci.hcl runs it as `oci-layout:<DIR>:latest`.
#
#   contrib/oci/build-busybox-image.sh [DIR]      default DIR: /var/tmp/roost-busybox
#   EXTRA_RANDOM_MIB=4 contrib/oci/build-busybox-image.sh DIR   adds /data/random.bin of 4 MiB
#                                                   (incompressible: a bigger image for benchmarks)
#
# Push it to a registry with: skopeo copy --dest-tls-verify=false oci:DIR:latest docker://HOST:PORT/busybox:latest
set -euo pipefail

out=${1:-/var/tmp/roost-busybox}
busybox=/bin/busybox
if [[ ! -x $busybox ]]; then
    echo "build-busybox-image: $busybox is missing; install it with: apt-get install busybox-static" >&2
    exit 1
fi
for tool in tar gzip sha256sum; do
    command -v "$tool" >/dev/null || { echo "build-busybox-image: the $tool command is missing" >&2; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/roost-busybox-image.XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/rootfs
mkdir -p "$root"/{bin,etc,tmp,proc,sys,dev,root,www}
cp "$busybox" "$root/bin/busybox"
for applet in $("$busybox" --list); do
    [[ $applet == busybox ]] || ln -s busybox "$root/bin/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
echo '<h1>Hello from a Roost container</h1>' >"$root/www/index.html"
chmod 1777 "$root/tmp"
if [[ ${EXTRA_RANDOM_MIB:-0} -gt 0 ]]; then
    mkdir -p "$root/data"
    head -c "$((EXTRA_RANDOM_MIB * 1024 * 1024))" /dev/urandom >"$root/data/random.bin"
fi

# Reproducible layer: sorted names, owner root, fixed times, no gzip name or time.
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner --format=posix \
    --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime -C "$root" -cf "$work/layer.tar" .
diff_id=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
gzip -n -9 "$work/layer.tar"

rm -rf "$out"
mkdir -p "$out/blobs/sha256"
put_blob() { # FILE -> prints "digest size", stores the file under blobs/
    local digest size
    digest=$(sha256sum "$1" | cut -d' ' -f1)
    size=$(stat -c %s "$1")
    cp "$1" "$out/blobs/sha256/$digest"
    echo "$digest $size"
}
read -r layer_digest layer_size < <(put_blob "$work/layer.tar.gz")
case $(uname -m) in x86_64) arch=amd64 ;; aarch64) arch=arm64 ;; *) arch=$(uname -m) ;; esac
printf '{"architecture":"%s","os":"linux","config":{"Env":["PATH=/bin"],"Cmd":["/bin/sh","-c","echo hello from busybox"],"WorkingDir":"/"},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
    "$arch" "$diff_id" >"$work/config.json"
read -r config_digest config_size < <(put_blob "$work/config.json")
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:%s","size":%s}]}' \
    "$config_digest" "$config_size" "$layer_digest" "$layer_size" >"$work/manifest.json"
read -r manifest_digest manifest_size < <(put_blob "$work/manifest.json")
printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"platform":{"architecture":"%s","os":"linux"},"annotations":{"org.opencontainers.image.ref.name":"latest"}}]}' \
    "$manifest_digest" "$manifest_size" "$arch" >"$out/index.json"
echo '{"imageLayoutVersion":"1.0.0"}' >"$out/oci-layout"
echo "build-busybox-image: wrote $out (oci-layout:$out:latest, manifest sha256:$manifest_digest)"
