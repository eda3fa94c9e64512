# tests for report
