// SPDX-License-Identifier: GPL-2.0-only
/* The floor of benchmark (1) (bench/capture_server.sh): programs that do nothing, to measure
 * what merely attaching to a syscall tracepoint costs every traced task, apart from any work
 * the probe does. bench_capture_agent --floor NAME loads this object and attaches only the
 * program NAME:
 *  - tp_btf: the raw sys_exit tracepoint, as Vigil's probe (src/bpf/vigil.bpf.c) attaches;
 *  - openat: the per-syscall trace event syscalls/sys_exit_openat (needs tracefs), to see
 *    whether attaching to one call's event spares the other calls the cost (the kernel
 *    implements these events on top of the same raw tracepoint);
 *  - write: the event syscalls/sys_exit_write, what such an event costs the call it is for;
 *  - events: the floor of a probe that would not hook every syscall: the sys_exit_<call> event
 *    program attached to each captured call of src/bpf/wire.h, and two tp_btf programs on the
 *    sock_send_length / sock_recv_length tracepoints (Linux 6.5+), which fire only for socket
 *    I/O, where such a probe would count socket bytes (they do not run the syscall slow path).
 * Plain C without vmlinux.h: the programs read nothing. */
#include <linux/types.h>
// clang-format off
#include <bpf/bpf_helpers.h>
// clang-format on

char LICENSE[] SEC("license") = "GPL";

SEC("tp_btf/sys_exit")
int floor_sys_exit(void *ctx) { return 0; }

SEC("tp/syscalls/sys_exit_openat")
int floor_exit_openat(void *ctx) { return 0; }

SEC("tp/syscalls/sys_exit_write")
int floor_exit_write(void *ctx) { return 0; }

SEC("tp_btf/sock_send_length")
int floor_sock_send(void *ctx) { return 0; }

SEC("tp_btf/sock_recv_length")
int floor_sock_recv(void *ctx) { return 0; }
