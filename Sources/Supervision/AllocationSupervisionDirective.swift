/// What the allocation core asks its shell to do: a task's directive, or a new status to send.
public enum AllocationSupervisionDirective: Sendable, Hashable {
    /// Carry out `directive` for the task named `task`. Never `.report`: reports are combined.
    case task(String, TaskSupervisionDirective)
    /// The allocation's status or a task's state changed.
    case report(AllocationStatusReport)
}
