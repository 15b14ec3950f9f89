// Readers of labelled trace sets: ADFA-LD, UNM (Forrest et al.) and LID-DS 2021 recordings,
// and (through capture.h) Vigil captures. The parsers take bytes and return traces; ReadTraces
// walks a file or directory through the filesystem seam (base/fs.h) and infers labels from
// the datasets' own layouts.
//
// Errors name the file and the line (or the JSON field) that is wrong. Every file read is
// bounded by kMaxDatasetFileBytes, so a hostile or mistaken path cannot exhaust memory.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/fs.h"
#include "base/status.h"
#include "ml/trace.h"

namespace vigil::ml {

enum class DatasetFormat : uint8_t { kAdfaLd, kUnm, kLidDs, kVigil };

// "adfa-ld", "unm", "lid-ds", "vigil"; InvalidArgument naming the known formats otherwise.
StatusOr<DatasetFormat> ParseDatasetFormat(std::string_view name);
std::string_view DatasetFormatName(DatasetFormat format);

// Largest file a reader accepts (ResourceExhausted naming the file beyond it).
inline constexpr uint64_t kMaxDatasetFileBytes = 1ull << 30;

// ADFA-LD: one trace per file, whitespace-separated x86 32-bit syscall numbers. The trace has
// table kX86_32, id = `id`, label kUnknown and no group (ReadTraces fills them). Errors:
// "<id>:<line>: 'x' is not a syscall number", "... 1500 exceeds the largest syscall number
// 1023", "<id>: empty trace".
StatusOr<Trace> ParseAdfaTrace(std::string_view text, std::string_view id);

// UNM: "PID syscall" per line, processes interleaved. One trace per PID, in order of the
// PID's first line, id "<id>#<pid>", table kSunOs. Blank lines are skipped; any other line
// that is not two numbers is an error naming the line. An input without any call is an error.
StatusOr<std::vector<Trace>> ParseUnmTraces(std::string_view text, std::string_view id);

// LID-DS 2021: one recording = `<name>.sc` (sysdig text, one event per line:
// "timestamp_ns user_id pid process_name thread_id syscall direction arg=value...") and
// `<name>.json` (metadata: "exploit": bool, "time": {"exploit": [{"absolute": seconds}], ...}).
//
// Only exit events ('<') become calls, so each system call counts once; entry events ('>')
// are read only for the arguments the exit lacks (the socket of a listen, read or send).
// Syscall names map to x86-64 numbers (runtime/syscalls.h); events that are not system calls
// in that table (sysdig's "switch", "procexit", "signaldeliver", "unknown") are skipped. The
// trace gets table kX86_64, tids, ts_ns, label from "exploit", attack_start = index of the
// first call at or after the first exploit time, and activities derived from the arguments:
//   open/openat/openat2/creat with write, create, truncate or append flags -> kFileWrite;
//   the same reading a path IsSensitivePath() (capture.h) accepts -> kSensitiveRead;
//   unlink/rename/mkdir/chmod family succeeding -> kFileWrite (of the path they change);
//   execve/execveat succeeding -> kExec (subject = parent comm, object = exe);
//   listen (port from the socket) and UDP bind -> kListen ("tcp/80", "udp/53");
//   connect succeeding or in progress -> kConnect ("10.0.0.7:5432");
//   accept/accept4 -> kAccept (peer address); the first call of each (process, uid) -> kUser;
//   read/recv* and write/send* on sockets -> kBytesIn / kBytesOut (amount = bytes).
// `json` may be empty: then label and attack_start stay unknown. Errors name "<id>.sc:<line>"
// or "<id>.json: <field>".
StatusOr<Trace> ParseLidDsRecording(std::string_view sc, std::string_view json,
                                    std::string_view id);

// LID-DS 2021 as distributed: each recording is `<name>.zip` holding `<name>.sc`,
// `<name>.json`, `<name>.res` and `<name>.pcap` (members matched by their name after any
// directory; .res, .pcap and anything else are skipped unread). The .sc member is streamed
// through the parser, never held whole; the limits below bound what a hostile or corrupt zip
// can make the reader use. Exceeding one is ResourceExhausted naming the zip and the member.
struct LidDsZipLimits {
  uint64_t max_sc_bytes = uint64_t{4} << 30;  // uncompressed .sc (about 20 M calls)
  uint64_t max_json_bytes = uint64_t{1} << 20;
  uint64_t max_line_bytes = uint64_t{1} << 20;  // one .sc line
};

// One recording zip held in memory; `id` is the trace id (the zip's path without ".zip"), its
// last component the recording name. Messages name "<id>.zip" and, for a member's content,
// "<id>.zip/<member>[:<line>]". Errors: DataLoss for a corrupt or non-zip archive; NotFound
// for a missing <name>.sc, or a missing <name>.json when `label` is kUnknown (as for loose
// files); the parse errors of ParseLidDsRecording. A given `label` overrides the JSON's.
StatusOr<Trace> ParseLidDsZip(std::string_view zip, std::string_view id,
                              Label label = Label::kUnknown, const LidDsZipLimits& limits = {});

// Reads every trace under `path` (a file or a directory, walked recursively in sorted name
// order, so the output order is deterministic) from `fs`.
//   ADFA-LD: files named *.txt. Label kUnknown = infer: a path under "Attack_Data_Master" or
//     in a directory named "<Class>_<run>" ("Adduser_3") is an attack of group <Class>;
//     under Training_Data_Master or Validation_Data_Master it is normal.
//   UNM: every file except the syscall maps and mnemonic listings ("syscallMap.txt",
//     "calls.txt*", "result-*"). Infer: a path component containing "intrusion" is an
//     attack, one containing "normal" is normal; group = the program's directory (the one
//     above that component) without its "4. " numbering.
//   LID-DS: every <name>.sc with its <name>.json beside it (required when `label` is
//     kUnknown), and every <name>.zip recording (ParseLidDsZip; streamed from host files) that
//     has no loose <name>.sc beside it; label from the JSON "exploit" unless `label` says
//     otherwise. A scenario's folders map as the dataset defines them: training/*.zip and
//     validation/*.zip are normal runs, test/normal/*.zip normal and
//     test/normal_and_attack/*.zip attacks (their JSON says exploit: true and when), so
//     `eval --train S/training --validation S/validation --attack S/test` is the LID-DS
//     protocol.
//   Vigil: capture files (*.vgl in a directory) replayed by ReadVigilCapture (capture.h),
//     one trace per workload; only from the host filesystem (Unimplemented over others).
// A given `label` (not kUnknown) overrides inference for every trace. NotFound when `path`
// does not exist; InvalidArgument when a directory holds no trace file.
StatusOr<std::vector<Trace>> ReadTraces(const FileSystem& fs, DatasetFormat format,
                                        const std::string& path, Label label);
// The same on the host filesystem; a relative `path` is taken from the working directory.
StatusOr<std::vector<Trace>> ReadTraces(DatasetFormat format, const std::string& path, Label label);

}  // namespace vigil::ml
