# HTML report, Chinese forms, docx.
libcureport_a_SOURCES += report/html_int.h report/docx_int.h report/escape.c \
	report/report_util.c report/stream_writer.c report/report_html.c report/forms.c report/docx.c report/forms_pkg.c
