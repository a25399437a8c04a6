import Glibc

/// epoll, reached through `dlsym` because the toolchain's Glibc module does not export
/// `<sys/epoll.h>`, and a C shim target would add a module to the package for four calls.
/// Calls go through `@convention(c)` function pointers, so the C calling convention is used.
///
/// `struct epoll_event` is packed on x86-64 (12 bytes) and naturally aligned elsewhere
/// (16 bytes); events are read and written as raw bytes at the right offsets.
enum EventLoopSystemCalls {
    static let readable: UInt32 = 0x001  // EPOLLIN
    static let writable: UInt32 = 0x004  // EPOLLOUT
    static let error: UInt32 = 0x008  // EPOLLERR
    static let hangup: UInt32 = 0x010  // EPOLLHUP
    static let readHangup: UInt32 = 0x2000  // EPOLLRDHUP
    static let add: Int32 = 1  // EPOLL_CTL_ADD
    static let remove: Int32 = 2  // EPOLL_CTL_DEL
    static let modify: Int32 = 3  // EPOLL_CTL_MOD
    static let closeOnExec: Int32 = 0o2_000_000  // EPOLL_CLOEXEC == O_CLOEXEC

    #if arch(x86_64)
    static let eventSize = 12
    static let dataOffset = 4
    #else
    static let eventSize = 16
    static let dataOffset = 8
    #endif

    private typealias CreateFunction = @convention(c) (Int32) -> Int32
    private typealias ControlFunction = @convention(c) (Int32, Int32, Int32, UnsafeMutableRawPointer?) -> Int32
    private typealias WaitFunction = @convention(c) (Int32, UnsafeMutableRawPointer?, Int32, Int32) -> Int32

    private struct Functions: @unchecked Sendable {
        let create: CreateFunction
        let control: ControlFunction
        let wait: WaitFunction
    }

    private static let functions: Functions? = {
        let handle = dlopen(nil, RTLD_NOW)
        guard let create = dlsym(handle, "epoll_create1"),
              let control = dlsym(handle, "epoll_ctl"),
              let wait = dlsym(handle, "epoll_wait")
        else { return nil }
        return Functions(
            create: unsafeBitCast(create, to: CreateFunction.self),
            control: unsafeBitCast(control, to: ControlFunction.self),
            wait: unsafeBitCast(wait, to: WaitFunction.self))
    }()

    static func create() -> Int32 {
        guard let functions else {
            errno = ENOSYS
            return -1
        }
        return functions.create(closeOnExec)
    }

    /// `epoll_ctl` with the descriptor itself as the event's user data.
    static func control(_ epoll: Int32, _ operation: Int32, _ descriptor: Int32, events: UInt32) -> Int32 {
        guard let functions else { return -1 }
        var raw = (UInt64(0), UInt64(0))
        return withUnsafeMutableBytes(of: &raw) { bytes in
            bytes.storeBytes(of: events, toByteOffset: 0, as: UInt32.self)
            bytes.storeBytes(of: UInt64(UInt32(bitPattern: descriptor)), toByteOffset: dataOffset, as: UInt64.self)
            return functions.control(epoll, operation, descriptor, bytes.baseAddress)
        }
    }

    /// `epoll_wait` into `buffer` (capacity events of `eventSize` bytes each).
    static func wait(_ epoll: Int32, _ buffer: UnsafeMutableRawPointer, capacity: Int32, timeoutMilliseconds: Int32) -> Int32 {
        guard let functions else { return -1 }
        return functions.wait(epoll, buffer, capacity, timeoutMilliseconds)
    }

    static func event(at index: Int, in buffer: UnsafeMutableRawPointer) -> (descriptor: Int32, events: UInt32) {
        let base = buffer + index * eventSize
        let events = base.loadUnaligned(as: UInt32.self)
        let data = (base + dataOffset).loadUnaligned(as: UInt64.self)
        return (Int32(truncatingIfNeeded: data), events)
    }
}
