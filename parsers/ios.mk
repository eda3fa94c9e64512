# iOS parsers.
