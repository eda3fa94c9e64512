# tests of custos export: CSV / xlsx / JSON of case.db, CASE/UCO.
TESTS += tests/e2e/export.sh
EXTRA_DIST += tests/e2e/export.sh tests/e2e/export_check.py
