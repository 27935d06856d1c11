#include <stddef.h>
#include <stdint.h>

// libFuzzer's driver, for a program that keeps its own `main` (SwiftPM renames an
// executable's entry point, so libFuzzer's `main` cannot be used). Provided by the
// runtime that `-sanitize=fuzzer` links.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
