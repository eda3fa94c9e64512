# Manifest, seal, verify, CASE/UCO export (issue 3).
libcureport_a_SOURCES += report/seal.c
