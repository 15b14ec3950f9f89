// Dockerfiles as configuration input: a parser (pure, line-aware) that turns a Dockerfile
// into a Document whose Node tree the VGL-DF-* checks read, and those checks.
//
// Parsing follows the Dockerfile reference (and BuildKit's frontend): parser directives
// (`# escape=`, `# syntax=`) at the top; an instruction continues while its line ends with the
// escape character (comment lines and empty lines inside a continuation are dropped); exec
// form is a JSON array of strings (anything else, including a malformed array, is shell form,
// as Docker treats it); `--name[=value]` flags before the arguments of FROM, RUN, COPY, ADD
// and HEALTHCHECK; heredocs (`<<EOF`, `<<-EOF`, quoted delimiters, several per line) on RUN,
// COPY and ADD, whose bodies follow the instruction; ONBUILD's trigger parsed as an
// instruction. FROM images are resolved against the ARGs declared before the first FROM
// ($VAR, ${VAR}, ${VAR:-default}, ${VAR:+alt}).
//
// Document tree (Document::root, a map; every node carries its 1-based line):
//   file: "<path>"                   escape: "\\" or "`"
//   stages: [ { index: "0", line: "<n>", image: "<as written>", resolved: "<after ARG
//               substitution; empty when a variable has no value>", name: "<AS alias, lower
//               case; empty when unnamed>", platform: "<--platform or empty>" } ... ]
//   instructions: [ {
//       cmd: "RUN" (upper case)     line: "<first line>"   end_line: "<last line, heredocs
//                                                           included>"
//       stage: "<index into stages; -1 before the first FROM>"
//       flags: { from: "builder", mount: "type=cache,target=/x", ... }  (name without "--";
//               a flag given twice keeps the last value, "mount" keeps all joined by "\n")
//       value: "<arguments after the flags; continuations joined as Docker does>"
//       json: "true" | "false"      (exec form)
//       args: [ "<exec-form items, or the whitespace-separated words of value>" ... ]
//       heredocs: [ { name: "EOF", content: "<body>", expand: "true"|"false", line } ... ]
//       trigger: { <an instruction map> }  (ONBUILD only)
//     } ... ]
// Instruction maps sit at field path `instructions[i]`; checks set Violation::line.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"
#include "config/check.h"
#include "config/resource.h"
#include "config/yaml_loader.h"

namespace vigil::config {

// Kind of the Resource a Dockerfile becomes (one per file).
inline constexpr std::string_view kDockerfileKind = "Dockerfile";

// Bound on hostile input: more instructions plus heredocs than this fail with an error
// (real Dockerfiles have hundreds; each costs a few hundred bytes of tree).
inline constexpr size_t kMaxDockerfileInstructions = 10000;
// Findings one check reports per file; the rest are summarised in one more finding.
inline constexpr size_t kMaxDockerfileFindingsPerCheck = 1000;

// Parses a Dockerfile. Errors (unterminated heredoc, unknown instruction...) are returned
// in LoadResult::error naming `path:line`; what was parsed before stays in `documents`.
LoadResult LoadDockerfile(std::string_view text, std::string_view path);

// The Resources of a loaded Dockerfile document: one of kind "Dockerfile" named by the file
// path without leading slashes, namespace "" (Resource::node points into `doc`).
std::vector<Resource> DockerfileResources(const Document& doc);

// Registers VGL-DF-* checks.
Status RegisterDockerfileChecks(CheckRegistry* registry);

// A typed, read-only view of the Document tree above, rebuilt from the Node (cheap: strings
// are referenced, not copied) so checks do not walk maps by key.
struct DfHeredoc {
  std::string_view name;
  std::string_view content;
  bool expand = true;
  int line = 0;
};

struct DfInstruction {
  std::string_view cmd;
  int line = 0;
  int end_line = 0;
  int stage = -1;
  size_t index = 0;  // position in `instructions`
  std::vector<std::pair<std::string_view, std::string_view>> flags;
  std::string_view value;
  bool json = false;
  std::vector<std::string_view> args;
  std::vector<DfHeredoc> heredocs;
  const Node* trigger = nullptr;  // ONBUILD
  // Value of flag `name` (without "--"); nullptr when absent.
  const std::string_view* Flag(std::string_view name) const;
};

struct DfStage {
  int index = 0;
  int line = 0;
  std::string_view image;
  std::string_view resolved;
  std::string_view name;
  std::string_view platform;
  size_t first = 0;  // instruction index of its FROM
  size_t end = 0;    // one past its last instruction
};

struct DfView {
  std::vector<DfInstruction> instructions;
  std::vector<DfStage> stages;
};

// Builds the view of a Dockerfile document root; an unrecognised tree gives an empty view.
DfView ViewDockerfile(const Node* root);
// One instruction map (also used for ONBUILD triggers).
DfInstruction ViewInstruction(const Node& node, size_t index);

}  // namespace vigil::config
