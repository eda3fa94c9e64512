# Android parsers and payment helpers.
