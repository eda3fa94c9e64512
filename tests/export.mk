# tests of custos export: CSV / xlsx / JSON of case.db, CASE/UCO.
TESTS += tests/e2e/export.sh tests/e2e/export_caseuco.sh tests/e2e/export_inject.sh \
	tests/e2e/export_report.sh
EXTRA_DIST += tests/e2e/export.sh tests/e2e/export_check.py tests/e2e/export_caseuco.sh \
	tests/e2e/caseuco_check.py tests/data/export/caseuco-terms.txt \
	tests/e2e/export_inject.sh tests/data/export/formula-sms.sql tests/e2e/export_report.sh \
	tests/e2e/export_lib.sh
EXTRA_DIST += bench/export.sh
