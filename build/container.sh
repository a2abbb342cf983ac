#!/usr/bin/env bash
# Builds the NiSharp BIDS-App image (Dockerfile) offline, and with --test checks it.
#
#   build/container.sh [--test] [--rebuild-base]
#
# 1. the self-contained linux-x64 nisharp (build/publish.sh linux-x64), unless artifacts/ has it for this version;
# 2. the base image the Dockerfile names, debian:bookworm-slim, made here when podman does not have it:
#    debootstrap --variant=minbase bookworm (from this machine's configured Debian apt source, with the two packages
#    the Dockerfile would otherwise install: OpenSSL and the figures' font), podman import;
# 3. podman build --isolation chroot -t nisharp:VERSION (nothing downloaded: the base has what it needs), and podman save to
#    artifacts/nisharp-image.tar (what build/nisharp.def builds the Apptainer image from);
# 4. --test: podman cannot run containers here, so the image's filesystem is exported (podman export) and
#    'nisharp demo --subjects 4' runs inside it with chroot, as the image's user, with no network and nothing from
#    the environment; then the image's entry point is checked ('nisharp run --help').
# Skips (exit 0, with a message) where podman or debootstrap is missing, or chroot is not allowed.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
test=false
rebuild_base=false
for a in "$@"; do
  case "$a" in
    --test) test=true ;;
    --rebuild-base) rebuild_base=true ;;
    *) echo "usage: build/container.sh [--test] [--rebuild-base]" >&2; exit 2 ;;
  esac
done

skip() { echo "container: skipped: $*"; exit 0; }
command -v podman >/dev/null || skip "podman is not installed"
base=$(sed -n 's/^FROM \([^ ]*\).*/\1/p' Dockerfile | head -1)
version=$(dotnet msbuild src/NiSharp.Cli -getProperty:Version -nologo)
image="nisharp:$version"
bin="artifacts/nisharp-$version-linux-x64"
work=$(mktemp -d "${TMPDIR:-/tmp}/nisharp-container.XXXXXX")
trap 'rm -rf "$work"' EXIT
t0=$(date +%s)

# The Debian archive this machine's apt uses (deb822 .sources or a sources.list line), for bookworm.
debian_mirror() {
  local f uri
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -e "$f" ] || continue
    uri=$(awk 'BEGIN{RS=""} /Suites:[^\n]*bookworm([ \n]|$)/ && !/Enabled: *no/ { if (match($0, /URIs: *[^ \n]+/)) { s=substr($0, RSTART, RLENGTH); sub(/URIs: */, "", s); print s; exit } }' "$f")
    [ -n "$uri" ] && { echo "$uri"; return; }
  done
  uri=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | awk '$1=="deb" && $0 ~ / bookworm( |$)/ { for (i=2;i<=NF;i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }')
  echo "${uri:-http://deb.debian.org/debian}"
}

if [ ! -x "$bin/nisharp" ]; then
  echo "== the linux-x64 binary"
  build/publish.sh linux-x64
fi

if $rebuild_base || ! podman image exists "$base"; then
  command -v debootstrap >/dev/null || skip "debootstrap is not installed (needed to make the base image $base offline)"
  mirror=$(debian_mirror)
  echo "== the base image $base: debootstrap --variant=minbase bookworm from $mirror"
  tb=$(date +%s)
  debootstrap --variant=minbase --include=fonts-dejavu-core,libssl3 bookworm "$work/rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 \
    || { tail -20 "$work/debootstrap.log" >&2; echo "container: debootstrap failed" >&2; exit 2; }
  # As the slim images: no package lists, caches or documentation.
  rm -rf "$work/rootfs/var/lib/apt/lists/"* "$work/rootfs/var/cache/apt/"*.bin "$work/rootfs/var/cache/apt/archives/"*.deb \
         "$work/rootfs/usr/share/doc/"* "$work/rootfs/usr/share/man/"* "$work/rootfs/usr/share/info/"*
  tar -C "$work/rootfs" -c . | podman import --change 'CMD ["bash"]' - "$base" >/dev/null 2>&1
  rm -rf "$work/rootfs"
  echo "   $base in $(( $(date +%s) - tb )) s"
fi

echo "== podman build --isolation chroot -t $image"
tb=$(date +%s)
podman build --isolation chroot --build-arg "NISHARP_VERSION=$version" -t "$image" -t nisharp:latest -f Dockerfile . >"$work/build.log" 2>&1 \
  || { tail -30 "$work/build.log" >&2; echo "container: podman build failed" >&2; exit 2; }
# Saved under a temporary name and renamed when complete: a failed save leaves no half archive behind.
mkdir -p artifacts
rm -f artifacts/nisharp-image.tar artifacts/nisharp-image.tar.partial
podman save --format docker-archive -o artifacts/nisharp-image.tar.partial "$image" >"$work/save.log" 2>&1 \
  || { rm -f artifacts/nisharp-image.tar.partial; tail -5 "$work/save.log" >&2; echo "container: podman save failed" >&2; exit 2; }
mv -f artifacts/nisharp-image.tar.partial artifacts/nisharp-image.tar
size=$(podman image inspect "$image" --format '{{.Size}}')
echo "   $image: built in $(( $(date +%s) - tb )) s, $(( size / 1000000 )) MB; saved as artifacts/nisharp-image.tar (Apptainer: build/nisharp.def)"

if $test; then
  echo "== test: nisharp demo --subjects 4 inside the image's filesystem (chroot, uid 1000, no network)"
  fs="$work/fs"
  mkdir -p "$fs"
  cid=$(podman create "$image")
  podman export "$cid" | tar -C "$fs" -x
  podman rm "$cid" >/dev/null
  mkdir -p "$fs/tmp" && chmod 1777 "$fs/tmp"
  # The image's user, entry point and working folder, as 'docker run' would use them.
  user=$(podman image inspect "$image" --format '{{.Config.User}}')
  entry=$(podman image inspect "$image" --format '{{join .Config.Entrypoint " "}}')
  [ "$user" = "1000:1000" ] || { echo "container: the image runs as '$user', not the non-root 1000:1000" >&2; exit 1; }
  [ "$entry" = "nisharp run" ] || { echo "container: the entry point is '$entry', not 'nisharp run'" >&2; exit 1; }
  inside() { unshare --net chroot --userspec=1000:1000 "$fs" /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/home/nisharp "$@"; }
  command -v unshare >/dev/null || inside() { chroot --userspec=1000:1000 "$fs" /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/home/nisharp "$@"; }
  inside /bin/true 2>/dev/null || skip "chroot into the image's filesystem is not allowed here"
  td=$(date +%s)
  inside /bin/sh -c 'cd /home/nisharp && nisharp demo --subjects 4 -o /tmp/demo' >"$work/demo.log" 2>&1 \
    || { tail -30 "$work/demo.log" >&2; echo "container: nisharp demo failed inside the image" >&2; exit 1; }
  grep -m1 "demo finished" "$work/demo.log" | sed "s/^/   /"
  for f in /tmp/demo/results/report.html /tmp/demo/results/group; do
    [ -e "$fs$f" ] || { echo "container: the demo did not write $f" >&2; exit 1; }
  done
  n=$(find "$fs/tmp/demo/results" -name 'sub-*_relmat.tsv' | wc -l)
  inside nisharp run --help >/dev/null
  echo "   demo inside the image: $(( $(date +%s) - td )) s, report and group tables written, $n subject matrices"
fi
echo "container: done in $(( $(date +%s) - t0 )) s"
