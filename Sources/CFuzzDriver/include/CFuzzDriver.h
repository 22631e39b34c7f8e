// libFuzzer's entry for a program that keeps its own main: it parses libFuzzer's flags from
// argc/argv and runs `callback` on each input. Linked only into a build with
// `-sanitize=fuzzer` (compiled with -DFUZZING); see Sources/model_exporter_fuzz.
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
