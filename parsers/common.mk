# Parser framework: registry, sink, case.db, parse driver.
libcuparsers_a_SOURCES += parsers/registry.c
