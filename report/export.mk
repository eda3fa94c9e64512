# Exports of case.db (CSV, xlsx through libxlsxwriter, JSON) and CASE/UCO.
libcureport_a_SOURCES += report/export.c
