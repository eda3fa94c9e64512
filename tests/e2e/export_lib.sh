# export_lib.sh - sourced by the export tests (after tap.sh): the bundled
# sample iPhone case, parsed, in $C (images in $T/s).
export_sample_case() { # export_sample_case DIR
	C=$1
	run "sample images" sh "$SRCDIR/fixtures/make-samples.sh" "$T/s"
	run "case init" "$CUSTOS" case init "$C" --case-id A4403052026110001 \
		--manifest "$SRCDIR/fixtures/manifest/sample-seizure.json" --examiner "李检查"
	run "import the sample backup" "$CUSTOS" --case "$C" import --item A1 \
		"$T/s/ios-backup/00008101-001C2D3E4F50A01E"
}
