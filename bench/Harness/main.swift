// The in-process benchmark harness: see bench/run.
print("model_exporter_bench: not written yet")
