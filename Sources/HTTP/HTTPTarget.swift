// The HTTP target: a bounded HTTP/1.1 parser, server and client (DESIGN.md §2).
