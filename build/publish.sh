#!/usr/bin/env bash
# Publishes nisharp as a self-contained program (nothing else to install, no .NET) for each target platform:
#   artifacts/nisharp-<version>-<rid>/          nisharp, the native libraries it loads (SkiaSharp, HarfBuzzSharp),
#                                               LICENSE and the bundled data's licences (licenses/)
#   artifacts/nisharp-<version>-<rid>.tar.gz    the same folder, packed
#
# Usage: build/publish.sh [RID…]     (default: linux-x64 linux-arm64 osx-arm64 win-x64)
#
# How each target is compiled (README, "Start-up"):
#   - NativeAOT (the fastest start) where this machine can link a native program for the target: its own platform,
#     and linux-arm64 from linux-x64 when a cross toolchain is installed (clang, lld or the aarch64 binutils, and
#     the arm64 C libraries: apt-get install clang lld gcc-aarch64-linux-gnu libc6-dev-arm64-cross);
#   - otherwise self-contained, trimmed ReadyToRun single-file (the .NET runtime inside, the code precompiled): runs
#     the same way, starts slower. NativeAOT cannot link across operating systems, so osx-* and win-* from Linux are this.
# The .NET runtime packs, NativeAOT compilers and apphosts of each target come from NuGet (the SDK restores them).
# A target whose packs cannot be restored is reported and skipped; the script fails only if none was built.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
cli=src/NiSharp.Cli
rids=("$@")
[ ${#rids[@]} -gt 0 ] || rids=(linux-x64 linux-arm64 osx-arm64 win-x64)

version=$(dotnet msbuild "$cli" -getProperty:Version -nologo) || { echo "publish: cannot read the version" >&2; exit 2; }
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) host=linux-x64 ;;
  Linux-aarch64 | Linux-arm64) host=linux-arm64 ;;
  Darwin-arm64) host=osx-arm64 ;;
  Darwin-x86_64) host=osx-x64 ;;
  *) host= ;;
esac

# Whether NativeAOT can link for $1 here, and the extra properties it needs.
aot_properties() {
  local rid=$1
  if [ "$rid" = "$host" ]; then
    return 0
  fi
  if [ "$host" = linux-x64 ] && [ "$rid" = linux-arm64 ]; then
    # clang cross-links with the target triple; the arm64 C runtime from Debian's cross packages.
    local clang
    clang=$(command -v clang || ls /usr/bin/clang-[0-9]* 2>/dev/null | sort -V | tail -1)
    if [ -n "$clang" ] && [ -e /usr/aarch64-linux-gnu/lib/libc.so ] \
       && { command -v ld.lld >/dev/null || command -v aarch64-linux-gnu-ld >/dev/null; }; then
      local objcopy
      objcopy=$(command -v llvm-objcopy || ls /usr/bin/llvm-objcopy-[0-9]* 2>/dev/null | sort -V | tail -1)
      [ -n "$objcopy" ] || objcopy=$(command -v aarch64-linux-gnu-objcopy)
      [ -n "$objcopy" ] || return 1
      echo "-p:CppCompilerAndLinker=$clang -p:ObjCopyName=$objcopy"
      command -v ld.lld >/dev/null && echo "-p:LinkerFlavor=lld"
      return 0
    fi
  fi
  return 1
}

built=()
failed=()
for rid in "${rids[@]}"; do
  name="nisharp-$version-$rid"
  dir="artifacts/$name"
  rm -rf "$dir" "$dir.tar.gz"
  if extra=$(aot_properties "$rid"); then
    mode="NativeAOT"
    # shellcheck disable=SC2086 # $extra is a list of properties
    props=(-p:PublishAot=true $extra)
  else
    mode="ReadyToRun single-file"
    # Trimmed like NativeAOT (the same analysis, no warnings): the runtime inside, without what nisharp never calls.
    props=(-p:PublishAot=false -p:SelfContained=true -p:PublishSingleFile=true -p:PublishReadyToRun=true -p:PublishTrimmed=true)
  fi
  echo "== $rid: $mode"
  log="artifacts/$name.log"
  mkdir -p artifacts
  if ! dotnet publish "$cli" -c Release -r "$rid" -o "$dir" -nologo -p:NiSharpRequireViewer=true "${props[@]}" >"$log" 2>&1; then
    echo "   not built: $(grep -m1 -E 'error [A-Z]+[0-9]+' "$log" | sed -E 's/^.*error ([A-Z]+[0-9]+): ?//; s/ \[.*$//' | cut -c1-240)"
    echo "   (log: $log)"
    rm -rf "$dir"
    failed+=("$rid")
    continue
  fi
  # The program is 'nisharp'; debugging symbols and API docs stay out of the release.
  exe=NiSharp.Cli; [[ $rid == win-* ]] && exe=NiSharp.Cli.exe
  mv "$dir/$exe" "$dir/${exe/NiSharp.Cli/nisharp}"
  find "$dir" -maxdepth 1 \( -name '*.pdb' -o -name '*.dbg' -o -name '*.xml' -o -name '*.dSYM' \) -exec rm -rf {} +
  # Packed under a temporary name and renamed when complete: a failed or interrupted tar leaves no half archive.
  if ! tar -C artifacts -czf "$dir.tar.gz.partial" "$name" 2>"$log"; then
    echo "   not packed: $(head -1 "$log")"
    rm -f "$dir.tar.gz.partial"
    failed+=("$rid")
    continue
  fi
  mv -f "$dir.tar.gz.partial" "$dir.tar.gz"
  rm -f "$log"
  if [ "$rid" = "$host" ]; then
    # A run with nothing from the environment: no dotnet on PATH, no DOTNET_ROOT.
    if ! got=$(env -i PATH=/usr/bin:/bin "$root/$dir/nisharp" --version 2>&1); then
      echo "   the binary does not run: $got" >&2
      failed+=("$rid")
      continue
    fi
  fi
  echo "   $dir ($(du -sh "$dir" | cut -f1)), $dir.tar.gz ($(du -h "$dir.tar.gz" | cut -f1))"
  built+=("$rid")
done

echo "built: ${built[*]:-none}${failed[*]:+; not built: ${failed[*]}}"
[ ${#built[@]} -gt 0 ]
