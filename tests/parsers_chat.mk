# tests for parsers_chat
