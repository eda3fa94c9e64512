# HTML report, Chinese forms, docx (issue 6).
libcureport_a_SOURCES += report/html.c
