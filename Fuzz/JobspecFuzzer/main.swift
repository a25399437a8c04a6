// Replaced by the fuzz entry point (being written).
print("build with `make fuzz`")
