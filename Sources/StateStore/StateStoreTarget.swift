// The StateStore target: the replicated state machine applying commands (DESIGN.md §2).
