// The fuzzers' executable (scripts/fuzz builds and runs it; docs/fuzzing.md):
//
//     model_exporter_fuzz TARGET [libFuzzer flags] [corpus folders]   built with -sanitize=fuzzer -DFUZZING
//     model_exporter_fuzz TARGET FILE_OR_FOLDER…                        any other build: each input once
//
// TARGET is one of FuzzTarget's names (strategy, events, labels, csv, storage, webconfig).
FuzzMain.main()
