// SPDX-License-Identifier: GPL-2.0-only
/* Vigil's kernel probe (CO-RE, libbpf skeleton). Attaches to the raw sys_exit tracepoint and to
 * sched_process_{fork,exec,exit} through tp_btf, and writes the records of wire.h into one BPF
 * ring buffer. There is no sys_enter program: a captured call's arguments are read at sys_exit
 * from the task's saved user registers (pt_regs di, si, dx, r10, r8, r9), which the kernel
 * leaves as the caller set them for every call captured here (the exceptions are calls that
 * replace the registers: a successful execve/execveat, reported by sched_process_exec instead;
 * clone, rt_sigreturn and exit, which are not captured). High-volume calls are counted per
 * process in per-CPU slot tables that user space reads every flush interval (wire.h).
 *
 * Cost control: every syscall runs sys_exit, so its first work is the class table lookup that
 * drops the ~430 uncaptured calls; then the agent's own process (and optional excluded pids) is
 * filtered. Fixed-size records are reserved in the ring buffer and filled in place; only calls
 * with a path or a user sockaddr are built in a per-CPU scratch buffer and copied at their
 * real length. Records are published with BPF_RB_NO_WAKEUP so user space wakes on its own
 * timer, except when more than wake_threshold bytes wait (a forced wake-up, so a burst cannot
 * fill the ring while the reader sleeps). Reserve failures are counted per CPU (drops map,
 * mapped by user space).
 */
/* vmlinux.h must come first: the libbpf headers use its types. */
// clang-format off
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
// clang-format on

#include "wire.h"

char LICENSE[] SEC("license") = "GPL";

#define S_IFMT_ 0170000
#define S_IFSOCK_ 0140000
#define AF_UNIX_ 1
#define AF_INET_ 2
#define AF_INET6_ 10
#define OVERLAYFS_MAGIC_ 0x794c7630
#define CREAT_FLAGS_ 01101 /* creat(2) == open(O_CREAT | O_WRONLY | O_TRUNC) */
#define TS_COMPAT_ 0x0002  /* x86 thread_info.status: a 32-bit syscall is running */

/* Set by user space before load (the skeleton's rodata). */
const volatile __u32 agent_tgid = 0;
const volatile bool stream_high_volume = false;
const volatile bool has_excludes = false;
const volatile __u64 wake_threshold = 1 << 20;
/* Advanced by user space every second (the skeleton's data section); starts at 1 so that a
 * fresh (zeroed) counter slot is always refreshed. See struct vigil_count_val. */
__u64 count_epoch = 1;

#define VIGIL_CLASS_INIT_(name, nr, cls) [nr] = VIGIL_CLASS_##cls,
const volatile __u8 syscall_class[VIGIL_NR_SYSCALLS] = {VIGIL_SYSCALL_LIST(VIGIL_CLASS_INIT_)};

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 16 << 20); /* user space sets EbpfOptions::ring_buffer_bytes */
} events SEC(".maps");

/* Captured calls whose record has a variable part (a path or a user sockaddr): built in the
 * per-CPU scratch buffer and copied to the ring at their real length. Every other captured call
 * is reserved in the ring at sizeof(struct vigil_wire_syscall) and filled in place. */
const volatile __u8 syscall_var[VIGIL_NR_SYSCALLS] = {
    [VIGIL_NR_open] = 1,      [VIGIL_NR_creat] = 1,         [VIGIL_NR_openat] = 1,
    [VIGIL_NR_openat2] = 1,   [VIGIL_NR_connect] = 1,       [VIGIL_NR_bind] = 1,
    [VIGIL_NR_sendto] = 1,    [VIGIL_NR_execve] = 1,        [VIGIL_NR_execveat] = 1,
    [VIGIL_NR_chdir] = 1,     [VIGIL_NR_chroot] = 1,        [VIGIL_NR_rmdir] = 1,
    [VIGIL_NR_unlink] = 1,    [VIGIL_NR_rename] = 1,        [VIGIL_NR_link] = 1,
    [VIGIL_NR_symlink] = 1,   [VIGIL_NR_renameat] = 1,      [VIGIL_NR_renameat2] = 1,
    [VIGIL_NR_linkat] = 1,    [VIGIL_NR_symlinkat] = 1,     [VIGIL_NR_mkdir] = 1,
    [VIGIL_NR_chmod] = 1,     [VIGIL_NR_mkdirat] = 1,       [VIGIL_NR_fchmodat] = 1,
    [VIGIL_NR_fchmodat2] = 1, [VIGIL_NR_unlinkat] = 1,      [VIGIL_NR_mount] = 1,
    [VIGIL_NR_umount2] = 1,   [VIGIL_NR_delete_module] = 1, [VIGIL_NR_memfd_create] = 1,
};

/* Counter slots and their dirty bitmap, VIGIL_COUNT_SLOTS (and /64 words) per CPU: user space
 * sets max_entries to possible CPUs times these before load, and maps both. See wire.h. */
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(map_flags, BPF_F_MMAPABLE);
  __uint(max_entries, VIGIL_COUNT_SLOTS);
  __type(key, __u32);
  __type(value, struct vigil_count_slot);
} counts SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(map_flags, BPF_F_MMAPABLE);
  __uint(max_entries, VIGIL_COUNT_SLOTS / 64);
  __type(key, __u32);
  __type(value, __u64);
} count_dirty SEC(".maps");

/* Loss counters, VIGIL_DROP_MAX per CPU (index cpu * VIGIL_DROP_MAX + enum vigil_drop_index):
 * user space sets max_entries to possible CPUs times VIGIL_DROP_MAX and reads them through a
 * read-only mapping every flush, without a system call. */
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(map_flags, BPF_F_MMAPABLE);
  __uint(max_entries, VIGIL_DROP_MAX);
  __type(key, __u32);
  __type(value, __u64);
} drops SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 1024);
  __type(key, __u32);
  __type(value, __u8);
} excluded SEC(".maps");

struct record_buf {
  char b[VIGIL_MAX_RECORD];
};
struct walk_buf {
  char b[VIGIL_WALK_BUF];
};

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct record_buf);
} record_scratch SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct walk_buf);
} walk_scratch SEC(".maps");

/* A loss, counted in this CPU's drop counters. Atomic: it costs nothing on this rare path, and
 * the count then does not rely on the programs never interleaving on one CPU. */
static __always_inline void count_drop(__u32 index) {
  __u32 k = bpf_get_smp_processor_id() * VIGIL_DROP_MAX + index;
  __u64 *n = bpf_map_lookup_elem(&drops, &k);
  if (n) __sync_fetch_and_add(n, 1);
}

static __always_inline bool skip_tgid(__u32 tgid) {
  if (tgid == agent_tgid) return true;
  if (has_excludes && bpf_map_lookup_elem(&excluded, &tgid)) return true;
  return false;
}

/* Events published on this CPU, to space out the ring queries of wake_flags. */
struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, __u32);
} wake_tick SEC(".maps");

/* The ring's fill level is asked once every WAKE_CHECK_EVERY events per CPU, not on every
 * event: the query is a helper call (~30 ns on the development VM), a percpu array lookup is
 * inlined. A burst can overshoot wake_threshold by at most WAKE_CHECK_EVERY records per CPU,
 * which the threshold (a quarter of the ring) leaves room for. */
#define WAKE_CHECK_EVERY 16
static __always_inline __u64 wake_flags(void) {
  __u32 zero = 0;
  __u32 *tick = bpf_map_lookup_elem(&wake_tick, &zero);
  if (tick && ((*tick)++ & (WAKE_CHECK_EVERY - 1)) != 0) return BPF_RB_NO_WAKEUP;
  return bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= wake_threshold ? BPF_RB_FORCE_WAKEUP
                                                                         : BPF_RB_NO_WAKEUP;
}

/* The real uid and gid of `task` as the initial user namespace numbers them, and its cgroup v2
 * id: what bpf_get_current_uid_gid and bpf_get_current_cgroup_id return for the current task,
 * read with direct loads instead of two helper calls (together ~100 ns per event on the
 * development VM, where every call and return pays for the SRSO mitigation). */
static __always_inline void task_ids(struct task_struct *task, __u32 *uid, __u32 *gid,
                                     __u64 *cgroup_id) {
  const struct cred *cred = task->cred;
  *uid = cred->uid.val;
  *gid = cred->gid.val;
  *cgroup_id = task->cgroups->dfl_cgrp->kn->id;
}

/* Header fields that describe `task` (the current task for syscalls and exec; the child for
 * fork, whose credentials and cgroup are already set when sched_process_fork fires). `task`
 * is a BTF pointer, so its fields are read with direct (fault-safe) loads rather than
 * bpf_probe_read_kernel calls: this runs for every captured event. */
static __always_inline void fill_hdr(struct vigil_wire_hdr *h, struct task_struct *task, __u8 type,
                                     __s32 nr) {
  h->ts_ns = bpf_ktime_get_boot_ns();
  task_ids(task, &h->uid, &h->gid, &h->cgroup_id);
  h->mntns = task->nsproxy->mnt_ns->ns.inum;
  h->pid = task->tgid;
  h->tid = task->pid;
  h->ppid = task->real_parent->tgid;
  h->syscall = nr;
  h->size = 0;
  h->type = type;
  h->flags = 0;
  h->reserved = 0;
  /* Two direct loads instead of a string-copy helper; the kernel keeps comm NUL-terminated
   * within its 16 bytes and user space bounds it anyway. */
  __builtin_memcpy(h->comm, task->comm, sizeof(h->comm));
}

/* The struct file behind `fd` in the current task, or NULL. */
static __always_inline struct file *fd_file(struct task_struct *task, __s64 fd) {
  if (fd < 0) return NULL;
  struct fdtable *fdt = task->files->fdt;
  if (!fdt) return NULL;
  __u32 max = fdt->max_fds;
  if ((__u64)fd >= max) return NULL;
  struct file **arr = fdt->fd;
  struct file *f = NULL;
  bpf_probe_read_kernel(&f, sizeof(f), &arr[fd]);
  return f;
}

/* Linux 6.2+: turns a pointer read with bpf_probe_read into a BTF pointer, so its fields are
 * direct loads instead of helper calls (weak: absent on older kernels, which take the
 * BPF_CORE_READ path). */
extern void *bpf_rdonly_cast(void *obj, __u32 btf_id) __ksym __weak;

static __always_inline bool file_is_socket(struct file *f) {
  if (!f) return false;
  __u16 mode;
  if (bpf_rdonly_cast) {
    struct file *bf = bpf_rdonly_cast(f, bpf_core_type_id_kernel(struct file));
    mode = bf->f_inode->i_mode;
  } else {
    mode = BPF_CORE_READ(f, f_inode, i_mode);
  }
  return (mode & S_IFMT_) == S_IFSOCK_;
}

/* The local (peer=false) or remote (peer=true) address of a socket file. */
static __always_inline void sock_file_addr(struct vigil_wire_sockaddr *a, struct file *f,
                                           bool peer) {
  struct socket *sock = (struct socket *)BPF_CORE_READ(f, private_data);
  struct sock *sk = BPF_CORE_READ(sock, sk);
  if (!sk) return;
  __u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);
  if (family == AF_INET_) {
    __u32 ip = peer ? BPF_CORE_READ(sk, __sk_common.skc_daddr)
                    : BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
    a->family = family;
    a->port = peer ? bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport))
                   : BPF_CORE_READ(sk, __sk_common.skc_num);
    __builtin_memcpy(a->addr, &ip, 4);
  } else if (family == AF_INET6_) {
    a->family = family;
    a->port = peer ? bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport))
                   : BPF_CORE_READ(sk, __sk_common.skc_num);
    if (peer)
      BPF_CORE_READ_INTO(&a->addr, sk, __sk_common.skc_v6_daddr);
    else
      BPF_CORE_READ_INTO(&a->addr, sk, __sk_common.skc_v6_rcv_saddr);
  } else if (family == AF_UNIX_) {
    a->family = family;
  }
}

/* ---------------------------------------------------------------- high-volume syscalls */

/* 1: moves bytes on an fd that may or may not be a socket; 2: only works on sockets. */
static __always_inline int moves_bytes(long nr) {
  switch (nr) {
    case VIGIL_NR_read:
    case VIGIL_NR_write:
    case VIGIL_NR_readv:
    case VIGIL_NR_writev:
      return 1;
    case VIGIL_NR_sendto:
    case VIGIL_NR_recvfrom:
    case VIGIL_NR_sendmsg:
    case VIGIL_NR_recvmsg:
      return 2;
    default:
      return 0;
  }
}

static __always_inline __u32 count_hash(__u32 pid, __s32 nr, __s32 fd) {
  __u32 h = pid * 0x9E3779B1u ^ (__u32)nr * 0x85EBCA77u ^ (__u32)fd * 0xC2B2AE3Du;
  return h ^ (h >> 16);
}

/* Counts one call in this CPU's slot table (wire.h): the key's slot among VIGIL_COUNT_PROBES
 * probes, else the first empty or idle one. Only this CPU's probe writes these slots (a
 * program does not run twice at once on one CPU), so plain stores are race-free. */
static __always_inline void count_call(struct task_struct *task, struct pt_regs *regs, long nr,
                                       long ret, __u32 tgid) {
  int kind = moves_bytes(nr);
  __s32 fd = kind ? (int)regs->di : -1;
  __u32 base = bpf_get_smp_processor_id() * VIGIL_COUNT_SLOTS;
  __u32 h = count_hash(tgid, (__s32)nr, fd);
  __u64 epoch = count_epoch;
  struct vigil_count_slot *slot = NULL;
  struct vigil_count_slot *spare = NULL;
  __u32 idx = 0;
  __u32 spare_idx = 0;
#pragma unroll
  for (int i = 0; i < VIGIL_COUNT_PROBES; i++) {
    __u32 k = base + ((h + i) & (VIGIL_COUNT_SLOTS - 1));
    struct vigil_count_slot *s = bpf_map_lookup_elem(&counts, &k);
    if (!s) break;
    if (s->key.pid == tgid && s->key.syscall == nr && s->key.fd == fd && s->val.count != 0) {
      slot = s;
      idx = k;
      break;
    }
    if (!spare && (s->val.count == 0 || s->val.epoch + 2 <= epoch)) {
      spare = s;
      spare_idx = k;
    }
  }
  if (!slot) {
    if (!spare) {
      count_drop(VIGIL_DROP_COUNTS);
      return;
    }
    slot = spare;
    idx = spare_idx;
    /* The value is reset before the key is published (user space reads key, value, key). */
    slot->val.count = 0;
    slot->val.bytes = 0;
    slot->val.epoch = 0;
    barrier();
    slot->key.pid = tgid;
    slot->key.syscall = (__s32)nr;
    slot->key.fd = fd;
    barrier();
  }
  struct vigil_count_val *v = &slot->val;
  if (v->epoch != epoch) {
    /* First call of this key on this CPU in the epoch: who, and is the fd (still) a socket. */
    v->epoch = epoch;
    task_ids(task, &v->uid, &v->gid, &v->cgroup_id);
    __builtin_memcpy(v->comm, task->comm, sizeof(v->comm));
    v->on_socket = kind == 2 || (kind == 1 && file_is_socket(fd_file(task, fd)));
  }
  v->count += 1;
  if (ret > 0 && v->on_socket) v->bytes += ret;
  barrier();
  /* Then the dirty bit, which user space swaps to 0 before it reads the slot. It is stored on
   * every call, even when it looks set already: x86 makes stores visible in program order, so
   * either user space's swap comes after this store and then also sees the counter stored
   * above, or it comes before and the bit stays set for the next flush. (Testing the bit first
   * would let a load that passes the counter's store see the bit set just before the swap
   * clears it, and the increment would wait for the key's next call.) The store is not atomic:
   * if the swap falls between its load and store, bits already taken are set again, which only
   * costs user space a slot read that finds nothing new. */
  __u32 w = idx / 64;
  __u64 *d = bpf_map_lookup_elem(&count_dirty, &w);
  if (d) *d |= 1ull << (idx & 63);
}

/* stream_high_volume: one fixed-size record per call. */
static __always_inline void stream_call(struct task_struct *task, struct pt_regs *regs, long nr,
                                        long ret) {
  struct vigil_wire_syscall *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
  if (!e) {
    count_drop(VIGIL_DROP_RINGBUF);
    return;
  }
  __builtin_memset(e, 0, sizeof(*e));
  fill_hdr(&e->hdr, task, VIGIL_REC_SYSCALL, (__s32)nr);
  e->hdr.size = sizeof(*e);
  e->ret = ret;
  e->fd = (int)regs->di;
  e->fd2 = -1;
  if (moves_bytes(nr)) {
    if (moves_bytes(nr) == 2 || file_is_socket(fd_file(task, e->fd))) {
      e->hdr.flags |= VIGIL_FLAG_ON_SOCKET;
      if (ret > 0) e->bytes = ret;
    }
  }
  bpf_ringbuf_submit(e, wake_flags());
}

/* ---------------------------------------------------------------- captured syscalls */

/* The user pointers of a call's variable part, set by decode_args for the calls that
 * syscall_var marks. */
struct var_args {
  const void *p1;
  const void *p2;
  const void *uaddr;
  __u64 ualen;
};

/* Fills the fixed part of a captured call's record from its arguments `a` (x86-64 order:
 * di, si, dx, r10, r8, r9) and return value; the record's header is already filled. */
static __always_inline void decode_args(struct vigil_wire_syscall *e, struct var_args *v,
                                        const __u64 *a, long nr, long ret,
                                        struct task_struct *task) {
  struct file *sock_peer = NULL; /* a socket whose peer address is reported */
  struct file *sock_local = NULL;
  e->ret = ret;
  e->fd = -1;
  e->fd2 = -1;
  switch (nr) {
    case VIGIL_NR_open:
      v->p1 = (void *)a[0];
      e->flags = a[1];
      e->mode = a[2];
      break;
    case VIGIL_NR_creat:
      v->p1 = (void *)a[0];
      e->flags = CREAT_FLAGS_;
      e->mode = a[1];
      break;
    case VIGIL_NR_openat:
      e->fd = (int)a[0];
      v->p1 = (void *)a[1];
      e->flags = a[2];
      e->mode = a[3];
      break;
    case VIGIL_NR_openat2: {
      __u64 how[2] = {0, 0}; /* struct open_how: flags, mode, resolve */
      e->fd = (int)a[0];
      v->p1 = (void *)a[1];
      bpf_probe_read_user(how, sizeof(how), (void *)a[2]);
      e->flags = how[0];
      e->mode = how[1];
      break;
    }
    case VIGIL_NR_close:
    case VIGIL_NR_fchdir:
      e->fd = (int)a[0];
      break;
    case VIGIL_NR_dup:
    case VIGIL_NR_dup2:
    case VIGIL_NR_dup3: {
      e->fd = (int)a[0];
      if (nr != VIGIL_NR_dup) e->fd2 = (int)a[1];
      if (nr == VIGIL_NR_dup3) e->flags = a[2];
      struct file *f = fd_file(task, e->fd);
      if (file_is_socket(f)) {
        e->hdr.flags |= VIGIL_FLAG_ON_SOCKET;
        sock_peer = f;
      }
      break;
    }
    case VIGIL_NR_socket:
      e->id_arg = a[0];
      e->flags = a[1];
      break;
    case VIGIL_NR_pipe:
    case VIGIL_NR_pipe2:
    case VIGIL_NR_socketpair: {
      /* The two new fds, written by the kernel to the caller's int[2]. */
      int fds[2] = {-1, -1};
      const void *ufds = (void *)(nr == VIGIL_NR_socketpair ? a[3] : a[0]);
      if (ret == 0) bpf_probe_read_user(fds, sizeof(fds), ufds);
      e->fd = fds[0];
      e->fd2 = fds[1];
      if (nr == VIGIL_NR_pipe2) e->flags = a[1];
      if (nr == VIGIL_NR_socketpair) {
        e->id_arg = a[0];
        e->flags = a[1];
      }
      break;
    }
    case VIGIL_NR_close_range:
      e->fd = (__u32)a[0];
      e->fd2 = (__u32)a[1]; /* ~0U (4294967295) = up to the highest fd */
      e->flags = a[2];
      break;
    case VIGIL_NR_connect:
    case VIGIL_NR_bind:
      e->fd = (int)a[0];
      v->uaddr = (void *)a[1];
      v->ualen = a[2];
      e->hdr.flags |= VIGIL_FLAG_ON_SOCKET;
      break;
    case VIGIL_NR_sendto:
      e->fd = (int)a[0];
      v->uaddr = (void *)a[4];
      v->ualen = a[5];
      if (ret > 0) e->bytes = ret;
      e->hdr.flags |= VIGIL_FLAG_ON_SOCKET;
      break;
    case VIGIL_NR_accept:
    case VIGIL_NR_accept4:
      e->fd = (int)a[0];
      if (nr == VIGIL_NR_accept4) e->flags = a[3];
      e->hdr.flags |= VIGIL_FLAG_ON_SOCKET;
      if (ret >= 0) sock_peer = fd_file(task, ret);
      break;
    case VIGIL_NR_listen:
      e->fd = (int)a[0];
      e->hdr.flags |= VIGIL_FLAG_ON_SOCKET;
      sock_local = fd_file(task, e->fd);
      break;
    case VIGIL_NR_execve:
      v->p1 = (void *)a[0];
      break;
    case VIGIL_NR_execveat:
      e->fd = (int)a[0];
      v->p1 = (void *)a[1];
      e->flags = a[4];
      break;
    case VIGIL_NR_kill:
      e->id_arg = a[0];
      e->flags = a[1];
      break;
    case VIGIL_NR_chdir:
    case VIGIL_NR_chroot:
    case VIGIL_NR_rmdir:
    case VIGIL_NR_unlink:
      v->p1 = (void *)a[0];
      break;
    case VIGIL_NR_rename:
    case VIGIL_NR_link:
    case VIGIL_NR_symlink:
      v->p1 = (void *)a[0];
      v->p2 = (void *)a[1];
      break;
    case VIGIL_NR_renameat:
    case VIGIL_NR_renameat2:
    case VIGIL_NR_linkat:
      e->fd = (int)a[0];
      v->p1 = (void *)a[1];
      e->fd2 = (int)a[2];
      v->p2 = (void *)a[3];
      if (nr != VIGIL_NR_renameat) e->flags = a[4];
      break;
    case VIGIL_NR_symlinkat:
      v->p1 = (void *)a[0];
      e->fd2 = (int)a[1];
      v->p2 = (void *)a[2];
      break;
    case VIGIL_NR_mkdir:
    case VIGIL_NR_chmod:
      v->p1 = (void *)a[0];
      e->mode = a[1];
      break;
    case VIGIL_NR_mkdirat:
    case VIGIL_NR_fchmodat:
    case VIGIL_NR_fchmodat2:
      e->fd = (int)a[0];
      v->p1 = (void *)a[1];
      e->mode = a[2];
      if (nr == VIGIL_NR_fchmodat2) e->flags = a[3];
      break;
    case VIGIL_NR_unlinkat:
      e->fd = (int)a[0];
      v->p1 = (void *)a[1];
      e->flags = a[2];
      break;
    case VIGIL_NR_fchmod:
      e->fd = (int)a[0];
      e->mode = a[1];
      break;
    case VIGIL_NR_ptrace:
      e->flags = a[0];
      e->id_arg = a[1];
      break;
    case VIGIL_NR_setuid:
    case VIGIL_NR_setgid:
      e->id_arg = a[0];
      break;
    case VIGIL_NR_setreuid:
    case VIGIL_NR_setregid:
    case VIGIL_NR_setresuid:
    case VIGIL_NR_setresgid:
      e->id_arg = a[1]; /* the effective id asked for */
      break;
    case VIGIL_NR_capset: {
      __u32 data[6] = {}; /* two __user_cap_data_struct {effective, permitted, inheritable} */
      bpf_probe_read_user(data, sizeof(data), (void *)a[1]);
      e->cap_effective = (__u64)data[0] | ((__u64)data[3] << 32);
      break;
    }
    case VIGIL_NR_mount:
      v->p1 = (void *)a[0];
      v->p2 = (void *)a[1];
      e->flags = a[3];
      break;
    case VIGIL_NR_umount2:
    case VIGIL_NR_delete_module:
    case VIGIL_NR_memfd_create:
      v->p1 = (void *)a[0];
      e->flags = a[1];
      break;
    case VIGIL_NR_init_module:
      e->bytes = a[1];
      break;
    case VIGIL_NR_finit_module:
      e->fd = (int)a[0];
      e->flags = a[2];
      break;
    case VIGIL_NR_setns:
      e->fd = (int)a[0];
      e->flags = a[1];
      break;
    case VIGIL_NR_unshare:
      e->flags = a[0];
      break;
    case VIGIL_NR_bpf:
      e->flags = a[0];
      break;
    default:
      break;
  }
  if (sock_peer && file_is_socket(sock_peer)) sock_file_addr(&e->addr, sock_peer, true);
  if (sock_local && file_is_socket(sock_local)) sock_file_addr(&e->addr, sock_local, false);
}

/* Reads a user sockaddr of `len` bytes into e->addr; an AF_UNIX path goes to rec + off.
 * Returns the unix path bytes written. */
static __always_inline __u32 user_sockaddr(struct vigil_wire_syscall *e, char *rec, __u32 off,
                                           const void *uaddr, __u64 len) {
  __u16 family = 0;
  if (!uaddr || len < 2) return 0;
  if (bpf_probe_read_user(&family, sizeof(family), uaddr) != 0) return 0;
  if (family == AF_INET_ && len >= 8) {
    __u16 port = 0;
    bpf_probe_read_user(&port, 2, uaddr + 2);
    bpf_probe_read_user(e->addr.addr, 4, uaddr + 4);
    e->addr.family = family;
    e->addr.port = bpf_ntohs(port);
  } else if (family == AF_INET6_ && len >= 24) {
    __u16 port = 0;
    bpf_probe_read_user(&port, 2, uaddr + 2);
    bpf_probe_read_user(e->addr.addr, 16, uaddr + 8);
    e->addr.family = family;
    e->addr.port = bpf_ntohs(port);
  } else if (family == AF_UNIX_) {
    __u64 n = len - 2;
    if (n > VIGIL_MAX_UNIX) n = VIGIL_MAX_UNIX;
    barrier_var(n);
    n &= 127;
    e->addr.family = family;
    if (off > VIGIL_MAX_RECORD - 128) return 0;
    if (bpf_probe_read_user(rec + off, n, uaddr + 2) != 0) return 0;
    return n;
  }
  return 0;
}

/* A captured call with a path or a user sockaddr: built in the scratch buffer, then copied to
 * the ring at its real length. */
static __always_inline void emit_var(struct task_struct *task, const __u64 *a, long nr, long ret) {
  __u32 zero = 0;
  char *rec = bpf_map_lookup_elem(&record_scratch, &zero);
  if (!rec) return;
  struct vigil_wire_syscall *e = (struct vigil_wire_syscall *)rec;
  struct var_args v = {};
  __builtin_memset(e, 0, sizeof(*e));
  fill_hdr(&e->hdr, task, VIGIL_REC_SYSCALL, (__s32)nr);
  decode_args(e, &v, a, nr, ret, task);

  __u32 off = sizeof(*e);
  if (v.p1) {
    long n = bpf_probe_read_user_str(rec + sizeof(*e), VIGIL_MAX_PATH, v.p1);
    if (n > 0) {
      e->path_len = n - 1;
      off += n - 1;
      if (n == VIGIL_MAX_PATH) e->hdr.flags |= VIGIL_FLAG_TRUNCATED;
    }
  }
  if (v.p2 && off <= sizeof(*e) + VIGIL_MAX_PATH) {
    long n = bpf_probe_read_user_str(rec + off, VIGIL_MAX_PATH, v.p2);
    if (n > 0) {
      e->path2_len = n - 1;
      off += n - 1;
      if (n == VIGIL_MAX_PATH) e->hdr.flags |= VIGIL_FLAG_TRUNCATED;
    }
  }
  if (v.uaddr && off <= sizeof(*e) + 2 * VIGIL_MAX_PATH) {
    __u32 n = user_sockaddr(e, rec, off, v.uaddr, v.ualen);
    e->unix_len = n;
    off += n;
  }
  if (off > VIGIL_MAX_RECORD) return;
  e->hdr.size = off;
  if (bpf_ringbuf_output(&events, rec, off, wake_flags()) != 0) count_drop(VIGIL_DROP_RINGBUF);
}

/* Any other captured call: a fixed-size record reserved in the ring and filled in place. */
static __always_inline void emit_fixed(struct task_struct *task, const __u64 *a, long nr,
                                       long ret) {
  struct vigil_wire_syscall *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
  if (!e) {
    count_drop(VIGIL_DROP_RINGBUF);
    return;
  }
  struct var_args v = {}; /* stays empty: syscall_var marks every call that sets it */
  __builtin_memset(e, 0, sizeof(*e));
  fill_hdr(&e->hdr, task, VIGIL_REC_SYSCALL, (__s32)nr);
  decode_args(e, &v, a, nr, ret, task);
  e->hdr.size = sizeof(*e);
  bpf_ringbuf_submit(e, wake_flags());
}

/* The one syscall program. Runs for every system call on the machine, so the order of its
 * checks is by cost: the class table (drops uncaptured calls), the 32-bit ABI, the agent's own
 * process, then counting or emitting. */
SEC("tp_btf/sys_exit")
int BPF_PROG(vigil_sys_exit, struct pt_regs *regs, long ret) {
  long nr = regs->orig_ax;
  if ((unsigned long)nr >= VIGIL_NR_SYSCALLS) return 0;
  __u8 cls = syscall_class[nr];
  if (cls == VIGIL_CLASS_IGNORE) return 0;
  struct task_struct *task = bpf_get_current_task_btf();
  /* A 32-bit (int 0x80 / ia32) call numbers syscalls and passes arguments differently: the
   * table and the registers read below are x86-64's, so such calls are not reported. */
  if (bpf_core_field_exists(task->thread_info.status) && (task->thread_info.status & TS_COMPAT_))
    return 0;
  __u32 tgid = task->tgid;
  if (skip_tgid(tgid)) return 0;
  if (cls == VIGIL_CLASS_COUNT) {
    if (stream_high_volume)
      stream_call(task, regs, nr, ret);
    else
      count_call(task, regs, nr, ret, tgid);
    /* sendto with a destination (unconnected UDP: DNS, C2 beacons) is also reported like
     * connect; sendto on a connected socket is only counted. */
    if (nr != VIGIL_NR_sendto || regs->r8 == 0) return 0;
  }
  /* A successful exec is reported by sched_process_exec (the registers now hold the new
   * image's state). */
  if ((nr == VIGIL_NR_execve || nr == VIGIL_NR_execveat) && ret == 0) return 0;
  /* The arguments as the caller passed them: the kernel does not write back to these saved
   * user registers for any captured call. */
  __u64 a[6] = {regs->di, regs->si, regs->dx, regs->r10, regs->r8, regs->r9};
  if (syscall_var[nr])
    emit_var(task, a, nr, ret);
  else
    emit_fixed(task, a, nr, ret);
  return 0;
}

/* ---------------------------------------------------------------- process lifecycle */

SEC("tp_btf/sched_process_fork")
int BPF_PROG(vigil_fork, struct task_struct *parent, struct task_struct *child) {
  if (skip_tgid(parent->tgid)) return 0;
  struct vigil_wire_hdr *h = bpf_ringbuf_reserve(&events, sizeof(*h), 0);
  if (!h) {
    count_drop(VIGIL_DROP_RINGBUF);
    return 0;
  }
  fill_hdr(h, child, VIGIL_REC_FORK, -1);
  h->ppid = parent->tgid;
  h->size = sizeof(*h);
  bpf_ringbuf_submit(h, wake_flags());
  return 0;
}

struct walk_ctx {
  struct walk_buf *w;
  struct vfsmount *vmnt;
  struct mount *mnt;
  struct dentry *dentry;
  struct vfsmount *root_mnt;
  struct dentry *root_dentry;
  __u32 pos;
  bool truncated;
  bool done;
};

/* One step of walk_path (a bpf_loop callback: verified once, whatever the depth). */
static long walk_step(__u32 i, void *data) {
  struct walk_ctx *c = data;
  struct dentry *dentry = c->dentry;
  struct vfsmount *vmnt = c->vmnt;
  struct mount *mnt = c->mnt;
  if (dentry == c->root_dentry && vmnt == c->root_mnt) {
    c->done = true;
    return 1;
  }
  struct dentry *mnt_root = BPF_CORE_READ(vmnt, mnt_root);
  struct dentry *parent = BPF_CORE_READ(dentry, d_parent);
  if (dentry == mnt_root) {
    struct mount *up = BPF_CORE_READ(mnt, mnt_parent);
    if (up == mnt) {
      c->done = true;
      return 1;
    }
    c->dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
    c->mnt = up;
    c->vmnt = &up->mnt;
    return 0;
  }
  /* A dentry that is its own parent without being the mount's root is disconnected: a
   * pseudo file such as a memfd ("memfd:NAME"). Its name is the last component. */
  bool last = dentry == parent;
  __u32 len = BPF_CORE_READ(dentry, d_name.len) & 255;
  const unsigned char *name = BPF_CORE_READ(dentry, d_name.name);
  __u32 pos = c->pos;
  if (len + 1 > pos || pos > VIGIL_MAX_PATH) {
    c->truncated = true;
    c->done = true;
    return 1;
  }
  pos -= len;
  bpf_probe_read_kernel(&c->w->b[pos & (VIGIL_MAX_PATH - 1)], len, name);
  pos -= 1;
  c->w->b[pos & (VIGIL_MAX_PATH - 1)] = '/';
  c->pos = pos;
  c->dentry = parent;
  if (last) {
    c->done = true;
    return 1;
  }
  return 0;
}

/* Builds the path of (vfsmnt, dentry) as seen from the task's root into w, backwards so that
 * it ends at w[VIGIL_MAX_PATH]. Returns the start offset (the length is VIGIL_MAX_PATH - start).
 * Mount points are crossed upwards; the walk stops at the task's root, at the root of a mount
 * without a parent (an internal mount such as the memfd one) or after VIGIL_MAX_DEPTH steps.
 * bpf_d_path is not available to tracepoint programs, hence the walk. */
static __always_inline __u32 walk_path(struct walk_buf *w, struct vfsmount *vmnt,
                                       struct dentry *dentry, struct vfsmount *root_mnt,
                                       struct dentry *root_dentry, bool *truncated) {
  struct walk_ctx c = {
      .w = w,
      .vmnt = vmnt,
      .mnt = container_of(vmnt, struct mount, mnt),
      .dentry = dentry,
      .root_mnt = root_mnt,
      .root_dentry = root_dentry,
      .pos = VIGIL_MAX_PATH,
  };
  bpf_loop(VIGIL_MAX_DEPTH, walk_step, &c, 0);
  if (!c.done || c.truncated) *truncated = true;
  __u32 pos = c.pos;
  if (pos >= VIGIL_MAX_PATH) {
    pos = VIGIL_MAX_PATH - 1;
    w->b[pos] = '/';
  }
  return pos;
}

/* Copies w[start, VIGIL_MAX_PATH) to rec + off; returns the bytes copied. */
static __always_inline __u32 copy_walk(char *rec, __u32 off, struct walk_buf *w, __u32 start) {
  __u32 len = VIGIL_MAX_PATH - start;
  if (start >= VIGIL_MAX_PATH || len > VIGIL_MAX_PATH - 1) return 0;
  if (off > VIGIL_MAX_RECORD - VIGIL_MAX_PATH) return 0;
  bpf_probe_read_kernel(rec + off, len, &w->b[start & (VIGIL_MAX_PATH - 1)]);
  return len;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(vigil_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm) {
  __u64 pid_tgid = bpf_get_current_pid_tgid();
  if (skip_tgid(pid_tgid >> 32)) return 0;
  __u32 zero = 0;
  char *rec = bpf_map_lookup_elem(&record_scratch, &zero);
  struct walk_buf *w = bpf_map_lookup_elem(&walk_scratch, &zero);
  if (!rec || !w) return 0;
  struct vigil_wire_exec *e = (struct vigil_wire_exec *)rec;
  __builtin_memset(e, 0, sizeof(*e));
  fill_hdr(&e->hdr, p, VIGIL_REC_EXEC, -1);

  struct vfsmount *root_mnt = BPF_CORE_READ(p, fs, root.mnt);
  struct dentry *root_dentry = BPF_CORE_READ(p, fs, root.dentry);
  bool truncated = false;
  __u32 off = sizeof(*e);

  struct file *file = BPF_CORE_READ(bprm, file);
  __u32 start = walk_path(w, BPF_CORE_READ(file, f_path.mnt), BPF_CORE_READ(file, f_path.dentry),
                          root_mnt, root_dentry, &truncated);
  __u32 n = copy_walk(rec, off, w, start);
  e->exe_len = n;
  off += n;
  /* A memfd's dentry is "memfd:NAME" at the root of the kernel's internal shmem mount. */
  if (n >= 7) {
    char head[8] = {};
    bpf_probe_read_kernel(head, 7, &w->b[start & (VIGIL_MAX_PATH - 1)]);
    if (head[0] == '/' && head[1] == 'm' && head[2] == 'e' && head[3] == 'm' && head[4] == 'f' &&
        head[5] == 'd' && head[6] == ':')
      e->hdr.flags |= VIGIL_FLAG_EXE_MEMFD;
  }

  struct inode *inode = BPF_CORE_READ(file, f_inode);
  if (BPF_CORE_READ(inode, i_sb, s_magic) == OVERLAYFS_MAGIC_) {
    struct ovl_inode *oi = container_of(inode, struct ovl_inode, vfs_inode);
    if (BPF_CORE_READ(oi, __upperdentry)) e->hdr.flags |= VIGIL_FLAG_EXE_UPPER;
  }
  __u16 mode = BPF_CORE_READ(inode, i_mode);
  __u32 iuid = BPF_CORE_READ(inode, i_uid.val);
  __u32 igid = BPF_CORE_READ(inode, i_gid.val);
  if (e->hdr.uid == 0 || (iuid == e->hdr.uid && (mode & 0200)) ||
      (igid == e->hdr.gid && (mode & 0020)) || (mode & 0002))
    e->hdr.flags |= VIGIL_FLAG_EXE_WRITABLE;

  /* argv as the new image sees it: the NUL-separated block between arg_start and arg_end. */
  unsigned long arg_start = BPF_CORE_READ(p, mm, arg_start);
  unsigned long arg_end = BPF_CORE_READ(p, mm, arg_end);
  if (arg_end > arg_start && off <= sizeof(*e) + VIGIL_MAX_PATH) {
    __u64 len = arg_end - arg_start;
    if (len > VIGIL_MAX_ARGS) {
      len = VIGIL_MAX_ARGS;
      e->hdr.flags |= VIGIL_FLAG_TRUNCATED;
    }
    if (bpf_probe_read_user(rec + off, len, (void *)arg_start) == 0) {
      e->args_len = len;
      off += len;
    }
  }

  start = walk_path(w, BPF_CORE_READ(p, fs, pwd.mnt), BPF_CORE_READ(p, fs, pwd.dentry), root_mnt,
                    root_dentry, &truncated);
  if (off <= sizeof(*e) + VIGIL_MAX_PATH + VIGIL_MAX_ARGS) {
    n = copy_walk(rec, off, w, start);
    e->cwd_len = n;
    off += n;
  }
  if (truncated) e->hdr.flags |= VIGIL_FLAG_TRUNCATED;

  struct tty_struct *tty = BPF_CORE_READ(p, signal, tty);
  if (tty) {
    __u32 major = BPF_CORE_READ(tty, driver, major);
    __u32 minor = BPF_CORE_READ(tty, driver, minor_start) + BPF_CORE_READ(tty, index);
    e->tty = (minor & 0xff) | (major << 8) | ((minor & ~0xffu) << 12);
  }

  if (off > VIGIL_MAX_RECORD) return 0;
  e->hdr.size = off;
  if (bpf_ringbuf_output(&events, rec, off, wake_flags()) != 0) count_drop(VIGIL_DROP_RINGBUF);
  return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(vigil_exit, struct task_struct *p) {
  __u32 tid = p->pid;
  __u32 tgid = p->tgid;
  if (tid != tgid || skip_tgid(tgid)) return 0;
  struct vigil_wire_exit *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
  if (!e) {
    count_drop(VIGIL_DROP_RINGBUF);
    return 0;
  }
  fill_hdr(&e->hdr, p, VIGIL_REC_EXIT, -1);
  e->hdr.size = sizeof(*e);
  e->exit_code = p->exit_code;
  bpf_ringbuf_submit(e, wake_flags());
  return 0;
}
