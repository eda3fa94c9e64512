# Fuzzing. Every parser of untrusted bytes has a libFuzzer target
# tests/fuzz/fuzz_<name>.c (LLVMFuzzerTestOneInput) and a corpus in
# tests/fuzz/corpus/<name>/. `make check` replays each corpus through
# tests/fuzz/replay_<name> (declared in the owning tests/*.mk, see
# tests/fuzz/README.md); `make fuzz` builds real libFuzzer binaries with clang.
EXTRA_DIST += tests/fuzz/README.md
