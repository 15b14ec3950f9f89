// Test helpers of the profile and rate models and the capture reader: a synthetic "web server"
// container (nginx master and worker serving clients, an upstream, an access log, temp
// files) built with runtime::SyntheticBuilder, one capture per seed, with one injected
// behaviour on request. Randomness is a plain mt19937 (its output is specified by the
// standard, so pinned numbers hold for any standard library).
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "ml/capture.h"
#include "ml/model.h"
#include "ml/trace.h"
#include "runtime/synthetic.h"
#include "runtime/syscalls.h"

namespace vigil::ml::testing {

inline constexpr uint64_t kWebCgroup = 4242;
inline constexpr uint64_t kWindowNs = 10'000'000'000ull;  // the models' default window_s = 10

enum class Inject { kNone, kShell, kNewPeer, kUsrBinWrite, kShadowRead, kConnectBurst };

// Appends one run of the web server container (`windows` windows of 10 s of traffic, 5-15
// requests each) to `b`, with `inject` in the middle window.
inline void BuildWebServer(runtime::SyntheticBuilder& b, uint32_t seed, Inject inject,
                           int windows = 6) {
  std::mt19937 rnd(seed);
  const uint64_t t0 = 1767225600ull * 1000000000ull + uint64_t{seed} * 1000 * 1000000000ull;
  b.At(t0).Step(1000).Pid(50).Ppid(1).Cgroup(1).User(0, 0).Cwd("/");
  b.Exec("/usr/bin/conmon", {"conmon", "--cid", "web"});
  b.Cgroup(kWebCgroup).Mntns(4026532500ull).Fork(100);
  b.Exec("/usr/sbin/nginx", {"nginx", "-g", "daemon off;"});
  // CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_SETGID, CAP_SETUID, CAP_NET_BIND_SERVICE.
  b.Capset((1ull << 0) | (1ull << 1) | (1ull << 6) | (1ull << 7) | (1ull << 10));
  b.Socket(AF_INET, SOCK_STREAM).Bind("0.0.0.0:80").Listen();
  const int64_t listen_fd = b.LastFd();
  b.Open("/var/run/nginx.pid", O_WRONLY | O_CREAT | O_TRUNC, 0644);
  b.Write(b.LastFd(), 4).Close(b.LastFd());
  b.Fork(101).Setgid(101).Setuid(101);
  for (int w = 0; w < windows; ++w) {
    const uint64_t window_start = t0 + 1000000000ull + uint64_t(w) * kWindowNs;
    const int requests = 5 + static_cast<int>(rnd() % 11);
    for (int j = 0; j < requests; ++j) {
      b.At(window_start + uint64_t(j) * (9 * kWindowNs / 10) / uint64_t(requests));
      b.Pid(101).Ppid(100);
      b.Accept(
          "10.0.0." + std::to_string(2 + rnd() % 200) + ":" + std::to_string(40000 + rnd() % 20000),
          listen_fd);
      const int64_t client = b.LastFd();
      b.Counts(runtime::sys::kRead, 1, 200 + rnd() % 600);
      b.Open("/usr/share/nginx/html/index.html", O_RDONLY).Close(b.LastFd());
      if (rnd() % 4 == 0) {
        b.Socket(AF_INET, SOCK_STREAM).Connect("10.0.1.5:8080");
        b.Counts(runtime::sys::kWrite, 1, 300).Close(b.LastFd());
      }
      if (rnd() % 10 == 0) {
        std::string temp = "/var/cache/nginx/client_temp/000000" + std::to_string(10 + rnd() % 90);
        b.Open(temp, O_WRONLY | O_CREAT, 0600).Close(b.LastFd()).Unlink(temp);
      }
      b.Open("/var/log/nginx/access.log", O_WRONLY | O_APPEND | O_CREAT, 0644).Close(b.LastFd());
      b.Counts(runtime::sys::kWrite, 2, 1000 + rnd() % 4000).Close(client);
    }
    b.At(window_start + 9 * kWindowNs / 10 + 1000);
    b.Counts(runtime::sys::kEpollWait, 20 + rnd() % 10);
    if (w != windows / 2 || inject == Inject::kNone) continue;
    b.At(window_start + 9 * kWindowNs / 10 + 5000).Pid(101).Ppid(100);
    switch (inject) {
      case Inject::kShell:
        b.Fork(300).Exec("/bin/sh", {"sh", "-c", "id"}).Exit(0).Pid(101).Ppid(100);
        break;
      case Inject::kNewPeer:
        b.Socket(AF_INET, SOCK_STREAM).Connect("203.0.113.9:4444").Close(b.LastFd());
        break;
      case Inject::kUsrBinWrite:
        b.Open("/usr/bin/evil", O_WRONLY | O_CREAT | O_TRUNC, 0755).Close(b.LastFd());
        break;
      case Inject::kShadowRead:
        b.Open("/etc/shadow", O_RDONLY).Close(b.LastFd());
        break;
      case Inject::kConnectBurst:
        b.Step(1000000);  // 300 connections within 0.3 s
        for (int k = 0; k < 300; ++k) {
          b.Socket(AF_INET, SOCK_STREAM).Connect("10.0.1.5:8080").Close(b.LastFd());
        }
        b.Step(1000);
        break;
      case Inject::kNone:
        break;
    }
  }
}

// The traces of one web server run, named as ReadVigilCapture would name them, with the
// container's cgroup called "web".
inline std::vector<Trace> WebServerTraces(uint32_t seed, Inject inject, int windows = 6) {
  runtime::SyntheticBuilder b;
  BuildWebServer(b, seed, inject, windows);
  auto source = b.Build();
  CaptureOptions options;
  options.workloads[kWebCgroup] = "web";
  auto traces = TracesFromSource(source.get(), "web-" + std::to_string(seed), options);
  return traces.ok() ? std::move(*traces) : std::vector<Trace>{};
}

// The "web" workload's trace of one run (empty when missing).
inline Trace WebServerTrace(uint32_t seed, Inject inject, int windows = 6) {
  for (Trace& t : WebServerTraces(seed, inject, windows)) {
    if (t.group == "web") return std::move(t);
  }
  return Trace{};
}

// Learns the normal web workload of runs first..last (seeds).
inline void LearnWeb(Model* m, uint32_t first, uint32_t last) {
  for (uint32_t seed = first; seed <= last; ++seed) {
    for (const Trace& t : WebServerTraces(seed, Inject::kNone)) {
      ASSERT_TRUE(m->Learn(t).ok());
    }
  }
}

}  // namespace vigil::ml::testing
