// The Scheduler target: turns an evaluation and a state snapshot into a Plan (DESIGN.md §2–3).
