// The Platform target: sockets, processes, cgroups, files, signals, clock (DESIGN.md §2).
