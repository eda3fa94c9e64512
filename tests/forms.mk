# tests of the Chinese forms: rendered through LibreOffice and Chromium.
TESTS += tests/e2e/forms_render.sh
EXTRA_DIST += tests/e2e/forms_render.sh tests/e2e/forms_check.py tests/e2e/forms_append.py
