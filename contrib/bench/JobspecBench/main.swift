// Parse + decode benchmark (being written).
print("run with `make bench`")
