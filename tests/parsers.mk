# tests for parsers
