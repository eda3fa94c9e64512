#!/bin/sh
# make-samples.sh is deterministic: two builds give the same SHA256SUMS, and
# the sums check out. Also compares with the build tree's prebuilt samples.
. "$SRCDIR/tests/harness/tap.sh"
. "$SRCDIR/tests/e2e/fixtures_lib.sh"
tap_setup fixtures_determinism
tap_plan 10
run "first build" sh "$SRCDIR/fixtures/make-samples.sh" "$T/a"
run "second build" sh "$SRCDIR/fixtures/make-samples.sh" "$T/b"
like "$(wc -l <"$T/a/SHA256SUMS")" '^ *[1-9][0-9]+$' "SHA256SUMS lists the outputs"
same "$(cat "$T/b/SHA256SUMS")" "$(cat "$T/a/SHA256SUMS")" "two builds are byte-identical"
(cd "$T/a" && sha256sum --quiet -c SHA256SUMS) >"$T/c.out" 2>&1; ok $? "sha256sum -c SHA256SUMS"
run "rebuild into the same directory" sh "$SRCDIR/fixtures/make-samples.sh" "$T/a"
same "$(cat "$T/a/SHA256SUMS")" "$(cat "$T/b/SHA256SUMS")" "rebuilding in place gives the same bytes"
if [ -f "$BUILDDIR/tests/samples/SHA256SUMS" ]; then
	same "$(cat "$BUILDDIR/tests/samples/SHA256SUMS")" "$(cat "$T/a/SHA256SUMS")" "prebuilt samples match"
else
	skip "no prebuilt samples in the build tree"
fi
du=$(du -sk "$T/a" | cut -f1)
[ "$du" -lt 5120 ]; ok $? "samples are small (${du} KiB < 5 MiB)"
expect_exit 2 "refuses to write into the source tree" sh "$SRCDIR/fixtures/make-samples.sh" "$SRCDIR/fixtures/out"
tap_done
