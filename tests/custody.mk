# tests for custody
