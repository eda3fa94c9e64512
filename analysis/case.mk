# The analysis of a case (hits, links, graph): sources added here.
libcuanalysis_a_SOURCES += analysis/case_int.h analysis/analyze.c analysis/links.c analysis/graph.c
