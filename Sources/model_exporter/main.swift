print("model_exporter")
