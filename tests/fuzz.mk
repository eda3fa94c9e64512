# tests for fuzz
