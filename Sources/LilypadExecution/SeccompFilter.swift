import CLinuxSupport
import CSeccomp
import Foundation

/// The system call denylist every sandboxed job runs under (on top of bubblewrap's namespaces and
/// the unprivileged uid): kernel interfaces a job never needs and that have been escape or
/// denial-of-service routes. Denied calls fail with `EPERM` (`clone3` with `ENOSYS`, so C
/// libraries fall back to `clone`, whose namespace flags are then checked).
public enum SeccompFilter {
    /// System calls that always fail with `EPERM`.
    public static let deniedSyscalls = [
        "ptrace", "process_vm_readv", "process_vm_writev", "keyctl", "add_key", "request_key", "bpf", "perf_event_open", "userfaultfd",
        "mount", "umount2", "fsopen", "fsmount", "move_mount", "open_tree", "fsconfig", "fspick", "mount_setattr", "pivot_root", "chroot",
        "setns", "unshare", "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module", "open_by_handle_at",
        "name_to_handle_at", "iopl", "ioperm", "swapon", "swapoff", "syslog", "clock_settime", "settimeofday", "adjtimex", "clock_adjtime",
        "reboot", "io_uring_setup", "io_uring_enter", "io_uring_register", "pidfd_getfd", "kcmp", "acct", "quotactl", "lookup_dcookie",
        "vhangup", "nfsservctl", "uselib",
    ]

    /// `clone` flags that would create namespaces.
    static let namespaceCloneFlags: [UInt64] = [
        0x0002_0000,  // CLONE_NEWNS
        0x0200_0000,  // CLONE_NEWCGROUP
        0x0400_0000,  // CLONE_NEWUTS
        0x0800_0000,  // CLONE_NEWIPC
        0x1000_0000,  // CLONE_NEWUSER
        0x2000_0000,  // CLONE_NEWPID
        0x4000_0000,  // CLONE_NEWNET
    ]

    /// Socket families a job may not open: raw packets, kernel crypto, VM sockets.
    static let deniedSocketFamilies: [UInt64] = [17, 38, 40]  // AF_PACKET, AF_ALG, AF_VSOCK

    /// `TIOCSTI`: pushing characters into a terminal's input.
    static let tiocsti: UInt64 = 0x5412

    /// The filter as classic BPF for this machine's architecture (what `bwrap --seccomp FD` reads).
    public static func compile() throws(ExecutionError) -> [UInt8] {
        guard let context = seccomp_init(0x7fff_0000) else {  // SCMP_ACT_ALLOW
            throw .setupFailed(step: "build the system call filter", reason: "seccomp_init failed")
        }
        defer { seccomp_release(context) }
        let eperm = errnoAction(EPERM)
        func add(_ name: String, _ action: UInt32, _ conditions: [scmp_arg_cmp] = []) throws(ExecutionError) {
            let number = seccomp_syscall_resolve_name(name)
            guard number >= 0 else { return }  // not on this architecture
            let status = conditions.withUnsafeBufferPointer { buffer in
                seccomp_rule_add_array(context, action, number, UInt32(buffer.count), buffer.baseAddress)
            }
            guard status == 0 else {
                throw .setupFailed(step: "add \(name) to the system call filter", reason: String(cString: strerror(-status)))
            }
        }
        for name in deniedSyscalls { try add(name, eperm) }
        try add("clone3", errnoAction(ENOSYS))
        for flag in namespaceCloneFlags {
            try add("clone", eperm, [scmp_arg_cmp(arg: 0, op: SCMP_CMP_MASKED_EQ, datum_a: flag, datum_b: flag)])
        }
        for family in deniedSocketFamilies {
            try add("socket", eperm, [scmp_arg_cmp(arg: 0, op: SCMP_CMP_EQ, datum_a: family, datum_b: 0)])
        }
        try add("ioctl", eperm, [scmp_arg_cmp(arg: 1, op: SCMP_CMP_MASKED_EQ, datum_a: 0xffff_ffff, datum_b: tiocsti)])

        var pipeFDs: [Int32] = [0, 0]
        guard lp_pipe_cloexec(&pipeFDs) == 0 else {
            throw .setupFailed(step: "export the system call filter", reason: String(cString: strerror(errno)))
        }
        defer { close(pipeFDs[0]) }
        let exported = seccomp_export_bpf(context, pipeFDs[1])
        close(pipeFDs[1])
        guard exported == 0 else {
            throw .setupFailed(step: "export the system call filter", reason: String(cString: strerror(-exported)))
        }
        var program: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(pipeFDs[0], $0.baseAddress, $0.count) }
            if count <= 0 { break }
            program += buffer[0..<count]
        }
        return program
    }

    /// The compiled filter, built once per process.
    static let cached: Result<[UInt8], ExecutionError> = Result { () throws(ExecutionError) in try compile() }

    private static func errnoAction(_ code: Int32) -> UInt32 { 0x0005_0000 | (UInt32(code) & 0xffff) }
}
