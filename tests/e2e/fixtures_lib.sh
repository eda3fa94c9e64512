# fixtures_lib.sh - sourced by tests/e2e/fixtures_*.sh: finds or builds the
# sample images. Sets $S (samples dir) and $UDID.
UDID=00008101-001C2D3E4F50A01E
export PYTHONDONTWRITEBYTECODE=1
fixtures_samples() {
	if [ -f "$BUILDDIR/tests/samples/SHA256SUMS" ]; then
		S=$BUILDDIR/tests/samples
	else
		S=$T/samples
		sh "$SRCDIR/fixtures/make-samples.sh" "$S" >/dev/null || return 1
	fi
	export S
}
