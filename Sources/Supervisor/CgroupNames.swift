/// Names derived from job data that end up in paths: one path component of safe characters,
/// whatever a job or task is called.
enum CgroupNames {
    static func component(_ name: String) -> String {
        let characters = name.unicodeScalars.prefix(200).map { scalar -> Character in
            let safe = (scalar >= "a" && scalar <= "z") || (scalar >= "A" && scalar <= "Z") || (scalar >= "0" && scalar <= "9")
                || scalar == "-" || scalar == "_" || scalar == "."
            return safe ? Character(scalar) : "_"
        }
        let text = String(characters)
        return text.isEmpty || text == "." || text == ".." ? "_" + text : text
    }

    /// `<allocation-id>.<task>`, the task's cgroup name under the Roost parent.
    static func task(allocation: String, task: String) -> String {
        component(allocation) + "." + component(task)
    }
}
