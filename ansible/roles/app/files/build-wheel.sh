#!/usr/bin/env bash
# Build the giamngheo wheel on the controller: build-wheel.sh SOURCE_DIR OUT_DIR PYTHON
#
# The wheel is built from a clean copy of the work tree's tracked and new (not ignored) files, so
# nothing stale under build/ or a local virtualenv ends up in it. SOURCE_DATE_EPOCH makes the
# wheel byte-for-byte reproducible: an unchanged tree gives an identical file, and the server
# then sees no change and restarts nothing. Prints the wheel's path.
set -euo pipefail
source_dir=$1
out_dir=$2
python=$3

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

git -C "$source_dir" ls-files -z --cached --others --exclude-standard \
  | (cd "$source_dir" && tar --null --ignore-failed-read --files-from=- -cf - 2>/dev/null) \
  | tar -xf - -C "$work"

mkdir -p "$out_dir"
rm -f "$out_dir"/giamngheo-*.whl
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-315532800} \
  "$python" -m pip wheel --quiet --no-deps --wheel-dir "$out_dir" "$work" >&2
ls "$out_dir"/giamngheo-*.whl
