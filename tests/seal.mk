# tests for seal
