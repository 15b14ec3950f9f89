/* A static helper the live rule test builds and copies into its container image, for the
 * activities busybox cannot perform itself. Each mode makes the system calls a real attack
 * tool makes; none of them harms the host (everything happens inside the test container).
 *
 *   helper memfd              copy this binary into a memfd and execute it from there
 *   helper ptrace             PTRACE_TRACEME in one child, PTRACE_ATTACH to another
 *   helper packet             open an AF_PACKET raw socket
 *   helper connect IP PORT    one TCP connection (then close)
 *   helper noop               exit 0 (what the memfd copy runs)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static int memfd_exec(void) {
  int src = open("/proc/self/exe", O_RDONLY);
  int fd = (int)syscall(SYS_memfd_create, "vigil-live", 0);
  if (src < 0 || fd < 0) return perror("memfd"), 1;
  char buf[65536];
  ssize_t n;
  while ((n = read(src, buf, sizeof(buf))) > 0) {
    if (write(fd, buf, (size_t)n) != n) return perror("write"), 1;
  }
  char *argv[] = {"helper", "noop", NULL};
  syscall(SYS_execveat, fd, "", argv, environ, AT_EMPTY_PATH);
  return perror("execveat"), 1;
}

static int ptrace_both(void) {
  pid_t traced = fork();
  if (traced == 0) {
    ptrace(PTRACE_TRACEME, 0, 0, 0);
    raise(SIGSTOP);
    _exit(0);
  }
  int status;
  waitpid(traced, &status, 0);
  ptrace(PTRACE_DETACH, traced, 0, 0);
  waitpid(traced, &status, 0);

  pid_t victim = fork();
  if (victim == 0) {
    pause();
    _exit(0);
  }
  usleep(20000);
  long r = ptrace(PTRACE_ATTACH, victim, 0, 0);
  if (r == 0) {
    waitpid(victim, &status, 0);
    ptrace(PTRACE_DETACH, victim, 0, 0);
  } else {
    perror("PTRACE_ATTACH");
  }
  kill(victim, SIGKILL);
  waitpid(victim, &status, 0);
  return 0;
}

static int packet_socket(void) {
  int fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
  if (fd < 0)
    perror("socket(AF_PACKET)");
  else
    close(fd);
  return 0;
}

static int connect_once(const char *ip, const char *port) {
  struct sockaddr_in sa;
  memset(&sa, 0, sizeof(sa));
  sa.sin_family = AF_INET;
  sa.sin_port = htons((unsigned short)atoi(port));
  if (inet_pton(AF_INET, ip, &sa.sin_addr) != 1) return fprintf(stderr, "bad ip\n"), 2;
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) return perror("connect"), 1;
  close(fd);
  return 0;
}

int main(int argc, char **argv) {
  if (argc >= 2 && strcmp(argv[1], "memfd") == 0) return memfd_exec();
  if (argc >= 2 && strcmp(argv[1], "ptrace") == 0) return ptrace_both();
  if (argc >= 2 && strcmp(argv[1], "packet") == 0) return packet_socket();
  if (argc >= 4 && strcmp(argv[1], "connect") == 0) return connect_once(argv[2], argv[3]);
  if (argc >= 2 && strcmp(argv[1], "noop") == 0) return 0;
  fprintf(stderr, "usage: helper memfd|ptrace|packet|noop|connect IP PORT\n");
  return 2;
}
