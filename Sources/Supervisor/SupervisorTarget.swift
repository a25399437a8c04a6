// The Supervisor target: task drivers, cgroups and logs on a worker (DESIGN.md §5).
