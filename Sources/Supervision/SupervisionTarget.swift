// The Supervision target: the pure task lifecycle (restart policy, kill sequence) (DESIGN.md §5).
