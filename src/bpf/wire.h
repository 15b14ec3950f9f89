/* The wire format between the kernel probe (vigil.bpf.c) and user space (runtime/ebpf_source.cc):
 * ring-buffer records, map keys and values, and the captured system-call table. Included by
 * both sides, so it is plain C with __u8..__u64 types (vmlinux.h in BPF, <linux/types.h> in
 * user space); every layout is pinned by static asserts below so a change on one side that
 * the other does not see fails the build instead of corrupting events.
 *
 * Record layout: struct vigil_wire_hdr, then a fixed body for its type, then the variable
 * strings whose lengths the body gives (no NUL terminators), in the order the body lists
 * them. Every record is at most VIGIL_MAX_RECORD bytes. Timestamps are CLOCK_BOOTTIME ns
 * (bpf_ktime_get_boot_ns); user space converts them to wall clock.
 */
#ifndef VIGIL_BPF_WIRE_H_
#define VIGIL_BPF_WIRE_H_

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#ifdef __cplusplus
#define VIGIL_WIRE_ASSERT(cond, msg) static_assert(cond, msg)
#define VIGIL_WIRE_OFFSETOF(type, member) __builtin_offsetof(type, member)
#else
#define VIGIL_WIRE_ASSERT(cond, msg) _Static_assert(cond, msg)
#define VIGIL_WIRE_OFFSETOF(type, member) __builtin_offsetof(type, member)
#endif

/* Bounds of the variable parts. A longer string is cut (VIGIL_FLAG_TRUNCATED is set). */
#define VIGIL_MAX_PATH 4096    /* open/chmod/... paths as the caller passed them */
#define VIGIL_MAX_ARGS 4096    /* exec argv, NUL-separated */
#define VIGIL_MAX_UNIX 108     /* sizeof(sockaddr_un.sun_path) */
#define VIGIL_MAX_DEPTH 48     /* path components walked for exe and cwd */
#define VIGIL_MAX_RECORD 16384 /* per-CPU scratch record; a power of two */
#define VIGIL_WALK_BUF 8192    /* per-CPU buffer in which exe/cwd paths are built backwards */

enum vigil_wire_type {
  VIGIL_REC_SYSCALL = 1, /* struct vigil_wire_syscall */
  VIGIL_REC_FORK = 2,    /* header only */
  VIGIL_REC_EXEC = 3,    /* struct vigil_wire_exec */
  VIGIL_REC_EXIT = 4,    /* struct vigil_wire_exit */
};

/* vigil_wire_hdr.flags */
#define VIGIL_FLAG_TRUNCATED 0x01 /* a string was cut at its bound */
#define VIGIL_FLAG_EXE_UPPER 0x02 /* exec: the executable's overlayfs inode has an upper dentry */
#define VIGIL_FLAG_EXE_MEMFD 0x04 /* exec: the executable is a memfd */
#define VIGIL_FLAG_EXE_WRITABLE 0x08 /* exec: the executable is writable by the task's uid */
#define VIGIL_FLAG_ON_SOCKET 0x10    /* syscall: the fd argument is a socket */

struct vigil_wire_hdr {
  __u64 ts_ns;     /* CLOCK_BOOTTIME */
  __u64 cgroup_id; /* cgroup v2 id */
  __u64 mntns;     /* mount namespace inode number */
  __u32 pid;       /* tgid */
  __u32 tid;
  __u32 ppid;
  __u32 uid;
  __u32 gid;
  __s32 syscall; /* x86-64 number, -1 for sched records */
  __u16 size;    /* whole record, header included */
  __u8 type;     /* enum vigil_wire_type */
  __u8 flags;    /* VIGIL_FLAG_* */
  char comm[16];
  __u32 reserved;
};

struct vigil_wire_sockaddr {
  __u16 family; /* AF_INET, AF_INET6, AF_UNIX; 0 = none */
  __u16 port;   /* host byte order */
  __u8 addr[16];
};

/* A completed system call. Variable part: path, path2, unix socket path. */
struct vigil_wire_syscall {
  struct vigil_wire_hdr hdr;
  __s64 ret;
  __s64 fd;
  __s64 fd2;
  __u64 flags;
  __u64 bytes;
  __u64 cap_effective;
  __u32 mode;
  __u32 id_arg;
  struct vigil_wire_sockaddr addr;
  __u16 path_len;
  __u16 path2_len;
  __u16 unix_len; /* raw sun_path bytes; a leading NUL means an abstract name */
  __u16 reserved[3];
};

/* sched_process_exec. Variable part: exe, args, cwd. */
struct vigil_wire_exec {
  struct vigil_wire_hdr hdr;
  __u32 tty; /* new_encode_dev(major, minor) of the controlling tty, as st_rdev; 0 = none */
  __u16 exe_len;
  __u16 args_len;
  __u16 cwd_len;
  __u16 reserved[3];
};

/* sched_process_exit of a thread-group leader. */
struct vigil_wire_exit {
  struct vigil_wire_hdr hdr;
  __s64 exit_code; /* task->exit_code: wait(2) status (exit status << 8 | signal) */
};

/* Counters of high-volume syscalls: a table of VIGIL_COUNT_SLOTS slots per CPU (the probe's
 * `counts` array map, possible CPUs x VIGIL_COUNT_SLOTS, mapped read-only by user space), open
 * addressing with VIGIL_COUNT_PROBES probes from a hash of the key. Only the probe on its own
 * CPU writes a CPU's slots, so the hot path is a few inlined array loads and two increments
 * (a BPF hash map lookup cost ~70 ns per call here, the largest part of the probe's cost on a
 * read/write-heavy server). Calls that move bytes are keyed by fd too, so whether the fd is a
 * socket is looked up once per fd and epoch (user space advances count_epoch every second)
 * rather than on every call. The counters only grow while a key owns its slot; a slot is
 * taken over by another key when it is empty or idle for two epochs (a second or more without
 * a call, so user space, which reads every flush interval, has already seen its last count).
 * The probe sets the slot's bit in the per-CPU `count_dirty` bitmap (one __u64 per 64 slots)
 * after each call; user space swaps each word with 0 to find the slots to read, and reads all
 * slots once per epoch. Claiming a slot zeroes its value before it writes the key, and user
 * space reads key, value, key and skips a slot whose key changed in between (x86 keeps stores
 * in order). */
#define VIGIL_COUNT_SLOTS 8192 /* per CPU; a power of two, a multiple of 64 */
#define VIGIL_COUNT_PROBES 8
struct vigil_count_key {
  __u32 pid;
  __s32 syscall;
  __s32 fd; /* -1 for calls without a byte count */
  __u32 reserved;
};
struct vigil_count_val {
  __u64 count;     /* calls, since the key took the slot */
  __u64 bytes;     /* bytes moved by successful calls while the fd was a socket */
  __u64 cgroup_id; /* at the first call of the current epoch on this CPU */
  __u64 epoch;     /* count_epoch at the latest call (uid..on_socket refreshed then) */
  __u32 uid;
  __u32 gid;
  char comm[16];
  __u32 on_socket; /* the fd was a socket at the first call of the epoch on this CPU */
  __u32 reserved;
};
struct vigil_count_slot {
  struct vigil_count_key key;
  struct vigil_count_val val;
};

/* Index into the per-CPU drops array. */
enum vigil_drop_index {
  VIGIL_DROP_RINGBUF = 0, /* ring buffer full: the record was lost */
  VIGIL_DROP_COUNTS = 1,  /* no free counter slot among the probed ones: a call not counted */
  VIGIL_DROP_STASH = 2,   /* unused since arguments are read at sys_exit (index kept) */
  VIGIL_DROP_MAX = 3,
};

/* Syscall classes (the probe's rodata table syscall_class[nr]). */
#define VIGIL_CLASS_IGNORE 0
#define VIGIL_CLASS_CAPTURE 1 /* one event per call, arguments read at sys_exit */
#define VIGIL_CLASS_COUNT 2   /* high volume: counted per process unless streamed */
#define VIGIL_NR_SYSCALLS 512

/* The captured x86-64 system calls: X(name, number, class). docs/runtime-events.md says
 * which Event members each one sets; the probe and user space both expand this list. */
#define VIGIL_SYSCALL_LIST(X)    \
  X(read, 0, COUNT)              \
  X(write, 1, COUNT)             \
  X(open, 2, CAPTURE)            \
  X(close, 3, CAPTURE)           \
  X(poll, 7, COUNT)              \
  X(pread64, 17, COUNT)          \
  X(pwrite64, 18, COUNT)         \
  X(readv, 19, COUNT)            \
  X(writev, 20, COUNT)           \
  X(pipe, 22, CAPTURE)           \
  X(select, 23, COUNT)           \
  X(sched_yield, 24, COUNT)      \
  X(dup, 32, CAPTURE)            \
  X(dup2, 33, CAPTURE)           \
  X(nanosleep, 35, COUNT)        \
  X(socket, 41, CAPTURE)         \
  X(connect, 42, CAPTURE)        \
  X(accept, 43, CAPTURE)         \
  X(sendto, 44, COUNT)           \
  X(recvfrom, 45, COUNT)         \
  X(sendmsg, 46, COUNT)          \
  X(recvmsg, 47, COUNT)          \
  X(bind, 49, CAPTURE)           \
  X(listen, 50, CAPTURE)         \
  X(socketpair, 53, CAPTURE)     \
  X(execve, 59, CAPTURE)         \
  X(kill, 62, CAPTURE)           \
  X(chdir, 80, CAPTURE)          \
  X(fchdir, 81, CAPTURE)         \
  X(rename, 82, CAPTURE)         \
  X(mkdir, 83, CAPTURE)          \
  X(rmdir, 84, CAPTURE)          \
  X(creat, 85, CAPTURE)          \
  X(link, 86, CAPTURE)           \
  X(unlink, 87, CAPTURE)         \
  X(symlink, 88, CAPTURE)        \
  X(chmod, 90, CAPTURE)          \
  X(fchmod, 91, CAPTURE)         \
  X(gettimeofday, 96, COUNT)     \
  X(ptrace, 101, CAPTURE)        \
  X(setuid, 105, CAPTURE)        \
  X(setgid, 106, CAPTURE)        \
  X(setreuid, 113, CAPTURE)      \
  X(setregid, 114, CAPTURE)      \
  X(setresuid, 117, CAPTURE)     \
  X(setresgid, 119, CAPTURE)     \
  X(capset, 126, CAPTURE)        \
  X(chroot, 161, CAPTURE)        \
  X(mount, 165, CAPTURE)         \
  X(umount2, 166, CAPTURE)       \
  X(init_module, 175, CAPTURE)   \
  X(delete_module, 176, CAPTURE) \
  X(futex, 202, COUNT)           \
  X(clock_gettime, 228, COUNT)   \
  X(clock_nanosleep, 230, COUNT) \
  X(epoll_wait, 232, COUNT)      \
  X(openat, 257, CAPTURE)        \
  X(mkdirat, 258, CAPTURE)       \
  X(unlinkat, 263, CAPTURE)      \
  X(renameat, 264, CAPTURE)      \
  X(linkat, 265, CAPTURE)        \
  X(symlinkat, 266, CAPTURE)     \
  X(fchmodat, 268, CAPTURE)      \
  X(pselect6, 270, COUNT)        \
  X(ppoll, 271, COUNT)           \
  X(unshare, 272, CAPTURE)       \
  X(epoll_pwait, 281, COUNT)     \
  X(accept4, 288, CAPTURE)       \
  X(dup3, 292, CAPTURE)          \
  X(pipe2, 293, CAPTURE)         \
  X(preadv, 295, COUNT)          \
  X(pwritev, 296, COUNT)         \
  X(recvmmsg, 299, COUNT)        \
  X(sendmmsg, 307, COUNT)        \
  X(setns, 308, CAPTURE)         \
  X(finit_module, 313, CAPTURE)  \
  X(renameat2, 316, CAPTURE)     \
  X(memfd_create, 319, CAPTURE)  \
  X(bpf, 321, CAPTURE)           \
  X(execveat, 322, CAPTURE)      \
  X(preadv2, 327, COUNT)         \
  X(pwritev2, 328, COUNT)        \
  X(close_range, 436, CAPTURE)   \
  X(openat2, 437, CAPTURE)       \
  X(epoll_pwait2, 441, COUNT)    \
  X(fchmodat2, 452, CAPTURE)

#define VIGIL_NR_ENUM_(name, nr, cls) VIGIL_NR_##name = nr,
enum vigil_syscall_nr { VIGIL_SYSCALL_LIST(VIGIL_NR_ENUM_) };
#undef VIGIL_NR_ENUM_

VIGIL_WIRE_ASSERT(sizeof(struct vigil_wire_hdr) == 72, "vigil_wire_hdr size");
VIGIL_WIRE_ASSERT(VIGIL_WIRE_OFFSETOF(struct vigil_wire_hdr, pid) == 24, "hdr.pid offset");
VIGIL_WIRE_ASSERT(VIGIL_WIRE_OFFSETOF(struct vigil_wire_hdr, syscall) == 44, "hdr.syscall offset");
VIGIL_WIRE_ASSERT(VIGIL_WIRE_OFFSETOF(struct vigil_wire_hdr, size) == 48, "hdr.size offset");
VIGIL_WIRE_ASSERT(VIGIL_WIRE_OFFSETOF(struct vigil_wire_hdr, comm) == 52, "hdr.comm offset");
VIGIL_WIRE_ASSERT(sizeof(struct vigil_wire_sockaddr) == 20, "vigil_wire_sockaddr size");
VIGIL_WIRE_ASSERT(sizeof(struct vigil_wire_syscall) == 160, "vigil_wire_syscall size");
VIGIL_WIRE_ASSERT(VIGIL_WIRE_OFFSETOF(struct vigil_wire_syscall, ret) == 72, "syscall.ret");
VIGIL_WIRE_ASSERT(VIGIL_WIRE_OFFSETOF(struct vigil_wire_syscall, mode) == 120, "syscall.mode");
VIGIL_WIRE_ASSERT(VIGIL_WIRE_OFFSETOF(struct vigil_wire_syscall, addr) == 128, "syscall.addr");
VIGIL_WIRE_ASSERT(VIGIL_WIRE_OFFSETOF(struct vigil_wire_syscall, path_len) == 148,
                  "syscall.path_len");
VIGIL_WIRE_ASSERT(sizeof(struct vigil_wire_exec) == 88, "vigil_wire_exec size");
VIGIL_WIRE_ASSERT(VIGIL_WIRE_OFFSETOF(struct vigil_wire_exec, exe_len) == 76, "exec.exe_len");
VIGIL_WIRE_ASSERT(sizeof(struct vigil_wire_exit) == 80, "vigil_wire_exit size");
VIGIL_WIRE_ASSERT(sizeof(struct vigil_count_key) == 16, "vigil_count_key size");
VIGIL_WIRE_ASSERT(sizeof(struct vigil_count_val) == 64, "vigil_count_val size");
VIGIL_WIRE_ASSERT(VIGIL_WIRE_OFFSETOF(struct vigil_count_val, on_socket) == 56,
                  "count_val.on_socket");
VIGIL_WIRE_ASSERT(sizeof(struct vigil_count_slot) == 80, "vigil_count_slot size");
VIGIL_WIRE_ASSERT((VIGIL_COUNT_SLOTS & (VIGIL_COUNT_SLOTS - 1)) == 0 && VIGIL_COUNT_SLOTS % 64 == 0,
                  "count slots: a power of two, whole bitmap words");
VIGIL_WIRE_ASSERT(sizeof(struct vigil_wire_syscall) + 2 * VIGIL_MAX_PATH + VIGIL_MAX_UNIX <=
                      VIGIL_MAX_RECORD,
                  "syscall record fits the scratch buffer");
VIGIL_WIRE_ASSERT(sizeof(struct vigil_wire_exec) + VIGIL_MAX_PATH + VIGIL_MAX_ARGS +
                          VIGIL_MAX_PATH <=
                      VIGIL_MAX_RECORD,
                  "exec record fits the scratch buffer");

#endif /* VIGIL_BPF_WIRE_H_ */
