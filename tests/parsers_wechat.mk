# tests for parsers_wechat
