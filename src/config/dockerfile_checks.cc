// VGL-DF-* checks over the Dockerfile view (dockerfile.h). RUN scripts are split into simple
// commands by a small POSIX-shell tokenizer (quotes, escapes, comments, && || ; | & and
// parentheses); package-manager checks read the command words after leading variable
// assignments and `sudo`/`env`. Findings point at the line of the instruction concerned.
#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <string>
#include <utility>

#include "base/strings.h"
#include "config/dockerfile.h"
#include "config/k8s_util.h"
#include "config/secret_names.h"

namespace vigil::config {
namespace {

using report::Severity;

// One simple command of a shell script: its words, and whether its output is piped into the
// next command.
struct ShellCmd {
  std::vector<std::string> words;
  bool pipes_out = false;
};

std::vector<ShellCmd> SplitShell(std::string_view s) {
  std::vector<ShellCmd> out;
  ShellCmd cur;
  std::string word;
  bool in_word = false;
  auto end_word = [&] {
    if (in_word) cur.words.push_back(std::move(word));
    word.clear();
    in_word = false;
  };
  auto end_cmd = [&](bool pipe) {
    end_word();
    cur.pipes_out = pipe;
    if (!cur.words.empty()) out.push_back(std::move(cur));
    cur = ShellCmd();
  };
  size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (c == '\\' && i + 1 < s.size()) {
      if (s[i + 1] != '\n') {
        word.push_back(s[i + 1]);
        in_word = true;
      }
      i += 2;
    } else if (c == '\'') {
      size_t close = s.find('\'', i + 1);
      if (close == std::string_view::npos) close = s.size();
      word.append(s.substr(i + 1, close - i - 1));
      in_word = true;
      i = close + 1;
    } else if (c == '"') {
      ++i;
      while (i < s.size() && s[i] != '"') {
        if (s[i] == '\\' && i + 1 < s.size()) ++i;
        word.push_back(s[i++]);
      }
      ++i;
      in_word = true;
    } else if (c == '#' && !in_word) {
      while (i < s.size() && s[i] != '\n') ++i;
    } else if (c == '|' && i + 1 < s.size() && s[i + 1] == '|') {
      end_cmd(false);
      i += 2;
    } else if (c == '|') {
      end_cmd(true);
      ++i;
    } else if (c == '&' || c == ';' || c == '\n' || c == '(' || c == ')' || c == '`') {
      end_cmd(false);
      ++i;
    } else if (std::isspace(static_cast<unsigned char>(c))) {
      end_word();
      ++i;
    } else {
      word.push_back(c);
      in_word = true;
      ++i;
    }
  }
  end_cmd(false);
  return out;
}

std::string Base(std::string_view w) {
  size_t slash = w.rfind('/');
  return std::string(slash == std::string_view::npos ? w : w.substr(slash + 1));
}

bool IsAssignment(std::string_view w) {
  size_t eq = w.find('=');
  if (eq == 0 || eq == std::string_view::npos) return false;
  for (size_t i = 0; i < eq; ++i) {
    if (!std::isalnum(static_cast<unsigned char>(w[i])) && w[i] != '_') return false;
  }
  return true;
}

// Words of a command with leading assignments and sudo/env/nice wrappers removed; the
// program name is reduced to its base name.
std::vector<std::string> Program(const ShellCmd& c) {
  std::vector<std::string> w = c.words;
  size_t i = 0;
  while (i < w.size()) {
    std::string b = Base(w[i]);
    if (IsAssignment(w[i])) {
      ++i;
    } else if (b == "sudo" || b == "env" || b == "nice" || b == "nohup" || b == "time" ||
               b == "exec") {
      ++i;
      while (i < w.size() && StartsWith(w[i], "-")) ++i;
    } else {
      break;
    }
  }
  w.erase(w.begin(), w.begin() + static_cast<long>(i));
  if (!w.empty()) w[0] = Base(w[0]);
  return w;
}

// A RUN instruction's commands: exec form is one command; shell form is the value plus the
// bodies of its heredocs (a heredoc fed to a shell is the script itself).
struct RunInfo {
  const DfInstruction* ins;
  std::vector<ShellCmd> cmds;
  std::string script;
};

// RUN instructions of the view (ONBUILD triggers are not run in this image: not included).
std::vector<RunInfo> Runs(const DfView& v) {
  std::vector<RunInfo> out;
  for (const DfInstruction& ins : v.instructions) {
    if (ins.cmd != "RUN") continue;
    RunInfo r{&ins, {}, {}};
    if (ins.json) {
      ShellCmd c;
      for (auto a : ins.args) c.words.emplace_back(a);
      r.script = Join(c.words, " ");
      r.cmds.push_back(std::move(c));
    } else {
      r.script = std::string(ins.value);
      for (const DfHeredoc& h : ins.heredocs) {
        r.script += "\n";
        r.script.append(h.content);
      }
      r.cmds = SplitShell(r.script);
    }
    out.push_back(std::move(r));
  }
  return out;
}

bool HasFlag(const std::vector<std::string>& w, std::initializer_list<std::string_view> longs,
             std::string_view shorts) {
  for (size_t i = 1; i < w.size(); ++i) {
    const std::string& a = w[i];
    for (std::string_view l : longs) {
      if (a == l || StartsWith(a, std::string(l) + "=")) return true;
    }
    if (a.size() >= 2 && a[0] == '-' && a[1] != '-') {
      for (char s : shorts) {
        if (a.find(s, 1) != std::string::npos) return true;
      }
    }
  }
  return false;
}

// The sub-command (first non-option word after the program) and the operands after it.
// `with_value` lists options that consume the next word.
std::string SubCommand(const std::vector<std::string>& w,
                       std::initializer_list<std::string_view> with_value, size_t* after) {
  for (size_t i = 1; i < w.size(); ++i) {
    if (StartsWith(w[i], "-")) {
      for (std::string_view o : with_value) {
        if (w[i] == o) ++i;
      }
      continue;
    }
    *after = i + 1;
    return w[i];
  }
  *after = w.size();
  return "";
}

std::vector<std::string> Operands(const std::vector<std::string>& w, size_t from,
                                  std::initializer_list<std::string_view> with_value) {
  std::vector<std::string> out;
  for (size_t i = from; i < w.size(); ++i) {
    if (StartsWith(w[i], "-")) {
      for (std::string_view o : with_value) {
        if (w[i] == o) ++i;
      }
      continue;
    }
    if (w[i].find('$') != std::string::npos) continue;  // substituted at build time
    out.push_back(w[i]);
  }
  return out;
}

// apt-get/apt install: the operand packages (nullopt-like empty when not an install).
struct PkgCmd {
  std::string manager;  // "apt-get", "apt", "apk", "yum", "dnf", "microdnf", "zypper"
  std::string sub;
  std::vector<std::string> words;
  std::vector<std::string> packages;
};

bool ParsePkg(const ShellCmd& c, PkgCmd* out) {
  std::vector<std::string> w = Program(c);
  if (w.empty()) return false;
  const std::string& p = w[0];
  size_t after = 0;
  if (p == "apt-get" || p == "apt" || p == "aptitude") {
    out->sub = SubCommand(w, {"-o", "-t", "-c", "--target-release", "--option"}, &after);
    out->packages = Operands(w, after, {"-o", "-t", "-c", "--target-release", "--option"});
  } else if (p == "apk") {
    out->sub = SubCommand(w,
                          {"-X", "--repository", "-p", "--root", "--arch", "--cache-dir",
                           "--repositories-file", "--keys-dir"},
                          &after);
    out->packages = Operands(w, after, {"-t", "--virtual", "-X", "--repository", "--dir"});
  } else if (p == "yum" || p == "dnf" || p == "microdnf" || p == "tdnf") {
    out->sub = SubCommand(w,
                          {"-c", "--config", "--enablerepo", "--disablerepo", "--releasever",
                           "--installroot", "--setopt", "-x", "--exclude"},
                          &after);
    out->packages = Operands(w, after, {"--enablerepo", "--disablerepo", "--setopt", "-x"});
  } else if (p == "zypper") {
    out->sub = SubCommand(w, {"-c", "--config", "-r", "--repo", "--root", "-R"}, &after);
    out->packages = Operands(w, after, {"-r", "--repo", "-t", "--type", "--from"});
  } else {
    return false;
  }
  out->manager = p;
  out->words = std::move(w);
  return true;
}

bool IsInstall(const PkgCmd& p) {
  if (p.manager == "apk") return p.sub == "add";
  if (p.manager == "zypper" || p.manager == "dnf" || p.manager == "microdnf" ||
      p.manager == "tdnf") {
    return p.sub == "install" || p.sub == "in";
  }
  return p.sub == "install";
}

bool IsLocalPackage(std::string_view pkg) {
  return pkg.find('/') != std::string_view::npos || EndsWith(pkg, ".deb") ||
         EndsWith(pkg, ".rpm") || EndsWith(pkg, ".apk");
}

Violation At(const DfInstruction& ins, std::string message) {
  Violation v;
  v.path = "instructions[" + std::to_string(ins.index) + "]";
  v.message = std::move(message);
  v.line = ins.line;
  return v;
}

using DfEval = std::function<void(const DfView&, std::vector<Violation>*)>;

k8s::Def DF(std::string id, Severity sev, std::string title, std::string rationale,
            std::string remediation, std::vector<std::string> controls, DfEval eval) {
  return k8s::ObjectCheck(
      std::move(id), sev, std::move(title), std::move(rationale), std::move(remediation),
      {std::string(kDockerfileKind)}, std::move(controls),
      [eval = std::move(eval)](const CheckContext& ctx, std::vector<Violation>* out) {
        size_t before = out->size();
        eval(ViewDockerfile(ctx.resource.node), out);
        // Bounded report size on hostile input: past the cap, one summary finding.
        size_t found = out->size() - before;
        if (found > kMaxDockerfileFindingsPerCheck) {
          out->resize(before + kMaxDockerfileFindingsPerCheck);
          Violation more = out->back();
          more.message = std::to_string(found - kMaxDockerfileFindingsPerCheck) +
                         " more instructions after this one have the same problem (not listed)";
          out->push_back(std::move(more));
        }
      });
}

// Per RUN instruction: every simple command, with `fn` deciding on each; one finding per
// instruction at most (the first message).
void ForEachCommand(
    const DfView& v, std::vector<Violation>* out,
    const std::function<std::string(const std::vector<std::string>&, const RunInfo&)>& fn) {
  for (const RunInfo& r : Runs(v)) {
    for (const ShellCmd& c : r.cmds) {
      std::vector<std::string> w = Program(c);
      if (w.empty()) continue;
      std::string msg = fn(w, r);
      if (!msg.empty()) {
        out->push_back(At(*r.ins, msg));
        break;
      }
    }
  }
}

// Per RUN instruction: every package-manager command.
void ForEachPkg(const DfView& v, std::vector<Violation>* out,
                const std::function<std::string(const PkgCmd&, const RunInfo&)>& fn) {
  for (const RunInfo& r : Runs(v)) {
    for (const ShellCmd& c : r.cmds) {
      PkgCmd p;
      if (!ParsePkg(c, &p)) continue;
      std::string msg = fn(p, r);
      if (!msg.empty()) {
        out->push_back(At(*r.ins, msg));
        break;
      }
    }
  }
}

bool ScriptContains(const RunInfo& r, std::string_view needle) {
  return r.script.find(needle) != std::string::npos;
}

// Image reference parts: repository, tag ("" when none), digest ("" when none).
struct ImageRef {
  std::string repo, tag, digest;
};
ImageRef ParseImage(std::string_view ref) {
  ImageRef r;
  size_t at = ref.find('@');
  if (at != std::string_view::npos) {
    r.digest = std::string(ref.substr(at + 1));
    ref = ref.substr(0, at);
  }
  size_t slash = ref.rfind('/');
  size_t colon = ref.rfind(':');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
    r.tag = std::string(ref.substr(colon + 1));
    ref = ref.substr(0, colon);
  }
  r.repo = std::string(ref);
  return r;
}

// True when `image` names an earlier stage (FROM builder) rather than a registry image.
bool IsStageRef(const DfView& v, int stage, std::string_view image) {
  std::string lower = ToLower(image);
  for (const DfStage& s : v.stages) {
    if (s.index >= stage) break;
    if (!s.name.empty() && s.name == lower) return true;
  }
  return false;
}

const DfStage* FinalStage(const DfView& v) { return v.stages.empty() ? nullptr : &v.stages.back(); }

bool IsRootUser(std::string_view user) {
  std::string u(Trim(user));
  size_t colon = u.find(':');
  if (colon != std::string::npos) u = u.substr(0, colon);
  return u == "root" || u == "0";
}

// KEY=VALUE pairs of ENV/ARG/LABEL (legacy "ENV KEY VALUE" too); value empty when absent.
std::vector<std::pair<std::string, std::string>> Pairs(const DfInstruction& ins) {
  std::vector<std::pair<std::string, std::string>> out;
  std::vector<ShellCmd> parsed = SplitShell(ins.value);
  std::vector<std::string> words;
  for (auto& c : parsed) {
    for (auto& w : c.words) words.push_back(w);
  }
  if (ins.cmd == "ENV" && !words.empty() && words[0].find('=') == std::string::npos) {
    std::string rest;
    for (size_t i = 1; i < words.size(); ++i) rest += (i > 1 ? " " : "") + words[i];
    out.emplace_back(words[0], rest);
    return out;
  }
  for (const std::string& w : words) {
    size_t eq = w.find('=');
    if (eq == std::string::npos) {
      out.emplace_back(w, "");
    } else {
      out.emplace_back(w.substr(0, eq), w.substr(eq + 1));
    }
  }
  return out;
}

std::vector<std::string> Controls(std::initializer_list<std::string> c) { return c; }

std::vector<k8s::Def> Defs() {
  std::vector<k8s::Def> d;

  d.push_back(DF(
      "VGL-DF-001", Severity::kHigh, "Final stage has no USER (runs as root)",
      "Without a USER instruction the image's processes run as root, so a compromise of the "
      "application is a compromise of root in the container and a step towards the host.",
      "Create an unprivileged user and switch to it with USER before CMD/ENTRYPOINT.",
      Controls({"cis-docker/4.1"}), [](const DfView& v, std::vector<Violation>* out) {
        const DfStage* s = FinalStage(v);
        if (s == nullptr) return;
        for (size_t i = s->first; i < s->end; ++i) {
          if (v.instructions[i].cmd == "USER") return;
        }
        out->push_back(At(v.instructions[s->first],
                          "final stage " + std::string(s->image) + " sets no USER: runs as root"));
      }));

  d.push_back(
      DF("VGL-DF-002", Severity::kHigh, "Last USER is root",
         "The last USER of the final stage decides the user containers run as; root gives the "
         "process every privilege inside the container.",
         "Switch to an unprivileged user after the steps that need root.",
         Controls({"cis-docker/4.1"}), [](const DfView& v, std::vector<Violation>* out) {
           const DfStage* s = FinalStage(v);
           if (s == nullptr) return;
           const DfInstruction* last = nullptr;
           for (size_t i = s->first; i < s->end; ++i) {
             if (v.instructions[i].cmd == "USER") last = &v.instructions[i];
           }
           if (last != nullptr && IsRootUser(last->value)) {
             out->push_back(At(*last, "the image runs as " + std::string(last->value)));
           }
         }));

  d.push_back(
      DF("VGL-DF-003", Severity::kMedium, "Base image uses the latest tag",
         "`latest` moves: the same Dockerfile builds different, unreviewed images over time.",
         "Pin the base image to a version tag or, better, a digest.", Controls({"cis-docker/4.2"}),
         [](const DfView& v, std::vector<Violation>* out) {
           for (const DfStage& s : v.stages) {
             if (s.resolved.empty() || IsStageRef(v, s.index, s.resolved)) continue;
             ImageRef r = ParseImage(s.resolved);
             if (r.digest.empty() && r.tag == "latest") {
               out->push_back(At(v.instructions[s.first],
                                 "base image " + std::string(s.resolved) + " uses the latest tag"));
             }
           }
         }));

  d.push_back(DF(
      "VGL-DF-004", Severity::kMedium, "Base image without a tag or digest",
      "An untagged image means `latest`: the build is not reproducible and may silently pick "
      "up an unreviewed image.",
      "Name an explicit version tag or digest (FROM debian:12.5 or FROM debian@sha256:...).",
      Controls({"cis-docker/4.2"}), [](const DfView& v, std::vector<Violation>* out) {
        for (const DfStage& s : v.stages) {
          if (s.resolved.empty() || s.resolved == "scratch" || IsStageRef(v, s.index, s.resolved)) {
            continue;
          }
          ImageRef r = ParseImage(s.resolved);
          if (r.digest.empty() && r.tag.empty()) {
            out->push_back(At(v.instructions[s.first],
                              "base image " + std::string(s.resolved) + " has no tag or digest"));
          }
        }
      }));

  d.push_back(
      DF("VGL-DF-005", Severity::kMedium, "ADD used for local files instead of COPY",
         "ADD also fetches URLs and unpacks archives; using it for plain files invites surprises "
         "(an archive unpacked where a file was expected).",
         "Use COPY for local files; ADD only to unpack a local tar archive.",
         Controls({"cis-docker/4.9"}), [](const DfView& v, std::vector<Violation>* out) {
           for (const DfInstruction& ins : v.instructions) {
             if (ins.cmd != "ADD" || ins.args.size() < 2) continue;
             bool all_local_files = true;
             for (size_t i = 0; i + 1 < ins.args.size(); ++i) {
               std::string_view src = ins.args[i];
               std::string lower = ToLower(src);
               bool remote = lower.find("://") != std::string::npos || StartsWith(lower, "git@");
               bool archive = EndsWith(lower, ".tar") || EndsWith(lower, ".tar.gz") ||
                              EndsWith(lower, ".tgz") || EndsWith(lower, ".tar.bz2") ||
                              EndsWith(lower, ".tbz2") || EndsWith(lower, ".tar.xz") ||
                              EndsWith(lower, ".txz") || EndsWith(lower, ".tar.zst") ||
                              EndsWith(lower, ".gz") || EndsWith(lower, ".bz2") ||
                              EndsWith(lower, ".xz");
               if (remote || archive || StartsWith(src, "<<")) all_local_files = false;
             }
             if (all_local_files) out->push_back(At(ins, "ADD copies local files: use COPY"));
           }
         }));

  d.push_back(
      DF("VGL-DF-006", Severity::kMedium, "ADD fetches a remote URL",
         "ADD downloads without verifying a checksum or signature (unless --checksum is given) "
         "and keeps the download in a layer.",
         "Download with curl/wget in a RUN step that verifies a checksum, or use ADD --checksum.",
         Controls({"cis-docker/4.9", "cis-docker/4.11"}),
         [](const DfView& v, std::vector<Violation>* out) {
           for (const DfInstruction& ins : v.instructions) {
             if (ins.cmd != "ADD" || ins.Flag("checksum") != nullptr) continue;
             for (size_t i = 0; i + 1 < ins.args.size(); ++i) {
               std::string lower = ToLower(ins.args[i]);
               if (StartsWith(lower, "http://") || StartsWith(lower, "https://") ||
                   StartsWith(lower, "ftp://")) {
                 out->push_back(At(ins, "ADD downloads " + std::string(ins.args[i])));
                 break;
               }
             }
           }
         }));

  d.push_back(DF("VGL-DF-007", Severity::kLow, "apt-get install without -y",
                 "Without -y (or -qq) apt-get asks for confirmation and the build fails or hangs.",
                 "Use apt-get install -y.", Controls({}),
                 [](const DfView& v, std::vector<Violation>* out) {
                   ForEachPkg(v, out, [](const PkgCmd& p, const RunInfo&) -> std::string {
                     if ((p.manager != "apt-get" && p.manager != "apt") || !IsInstall(p)) return "";
                     bool yes = HasFlag(p.words, {"--yes", "--assume-yes", "--quiet=2"}, "y");
                     // -qq (also spelled -q -q or --quiet --quiet) implies -y.
                     int quiet = 0;
                     for (size_t i = 1; i < p.words.size(); ++i) {
                       const std::string& a = p.words[i];
                       if (a == "--quiet") ++quiet;
                       if (a == "-q=2") quiet += 2;
                       if (a.size() >= 2 && a[0] == '-' && a[1] != '-') {
                         quiet += static_cast<int>(std::count(a.begin(), a.end(), 'q'));
                       }
                     }
                     if (quiet >= 2) yes = true;
                     return yes ? "" : p.manager + " install without -y";
                   });
                 }));

  d.push_back(DF("VGL-DF-008", Severity::kLow, "apt-get install without --no-install-recommends",
                 "Recommended packages add software (and attack surface) the image does not need.",
                 "Use apt-get install --no-install-recommends.", Controls({"cis-docker/4.3"}),
                 [](const DfView& v, std::vector<Violation>* out) {
                   ForEachPkg(v, out, [](const PkgCmd& p, const RunInfo&) -> std::string {
                     if ((p.manager != "apt-get" && p.manager != "apt") || !IsInstall(p)) return "";
                     for (const auto& w : p.words) {
                       if (w == "--no-install-recommends" ||
                           w.find("Install-Recommends=false") != std::string::npos ||
                           w.find("Install-Recommends=0") != std::string::npos) {
                         return "";
                       }
                     }
                     return "apt-get install without --no-install-recommends";
                   });
                 }));

  d.push_back(DF("VGL-DF-009", Severity::kLow, "apt lists not deleted after apt-get install",
                 "The package lists stay in the layer: a bigger image with stale metadata.",
                 "End the RUN with rm -rf /var/lib/apt/lists/* (or use a cache mount).",
                 Controls({}), [](const DfView& v, std::vector<Violation>* out) {
                   ForEachPkg(v, out, [](const PkgCmd& p, const RunInfo& r) -> std::string {
                     if ((p.manager != "apt-get" && p.manager != "apt") || !IsInstall(p)) return "";
                     const std::string_view* mount = r.ins->Flag("mount");
                     if (mount != nullptr &&
                         mount->find("/var/lib/apt") != std::string_view::npos) {
                       return "";
                     }
                     if (ScriptContains(r, "/var/lib/apt/lists")) return "";
                     return "apt-get install without removing /var/lib/apt/lists";
                   });
                 }));

  d.push_back(
      DF("VGL-DF-010", Severity::kMedium, "apt-get install without pinned versions",
         "Unpinned packages make builds unreproducible and can pull in unreviewed versions.",
         "Pin versions: apt-get install pkg=1.2.3-1.", Controls({}),
         [](const DfView& v, std::vector<Violation>* out) {
           ForEachPkg(v, out, [](const PkgCmd& p, const RunInfo&) -> std::string {
             if ((p.manager != "apt-get" && p.manager != "apt") || !IsInstall(p)) return "";
             for (const auto& pkg : p.packages) {
               if (pkg.find('=') == std::string::npos && !IsLocalPackage(pkg)) {
                 return "package " + pkg + " is not pinned";
               }
             }
             return "";
           });
         }));

  d.push_back(
      DF("VGL-DF-011", Severity::kLow, "apk add without --no-cache",
         "The APK index is kept in the layer: a bigger image with stale metadata.",
         "Use apk add --no-cache.", Controls({}), [](const DfView& v, std::vector<Violation>* out) {
           ForEachPkg(v, out, [](const PkgCmd& p, const RunInfo& r) -> std::string {
             if (p.manager != "apk" || !IsInstall(p)) return "";
             if (HasFlag(p.words, {"--no-cache"}, "")) return "";
             const std::string_view* mount = r.ins->Flag("mount");
             if (mount != nullptr && mount->find("/var/cache/apk") != std::string_view::npos) {
               return "";
             }
             if (ScriptContains(r, "/var/cache/apk")) return "";
             return "apk add without --no-cache";
           });
         }));

  d.push_back(
      DF("VGL-DF-012", Severity::kMedium, "apk add without pinned versions",
         "Unpinned packages make builds unreproducible and can pull in unreviewed versions.",
         "Pin versions: apk add pkg=1.2.3-r0.", Controls({}),
         [](const DfView& v, std::vector<Violation>* out) {
           ForEachPkg(v, out, [](const PkgCmd& p, const RunInfo&) -> std::string {
             if (p.manager != "apk" || !IsInstall(p)) return "";
             for (const auto& pkg : p.packages) {
               if (pkg.find('=') == std::string::npos && pkg.find('<') == std::string::npos &&
                   pkg.find('>') == std::string::npos && pkg.find('~') == std::string::npos &&
                   !IsLocalPackage(pkg)) {
                 return "package " + pkg + " is not pinned";
               }
             }
             return "";
           });
         }));

  // pip: `pip install`, `pip3 install`, `python -m pip install`.
  auto pip_args = [](const std::vector<std::string>& w, std::vector<std::string>* args) {
    size_t i = 0;
    if (StartsWith(w[0], "pip")) {
      i = 1;
    } else if (StartsWith(w[0], "python") && w.size() > 2 && w[1] == "-m" &&
               StartsWith(w[2], "pip")) {
      i = 3;
    } else {
      return false;
    }
    while (i < w.size() && StartsWith(w[i], "-")) ++i;
    if (i >= w.size() || w[i] != "install") return false;
    args->assign(w.begin() + static_cast<long>(i) + 1, w.end());
    return true;
  };

  d.push_back(DF(
      "VGL-DF-013", Severity::kMedium, "pip install without pinned versions",
      "Unpinned Python packages make builds unreproducible and expose the build to "
      "dependency-confusion and hijacked releases.",
      "Pin versions (pkg==1.2.3) or install from a requirements/constraints file with hashes.",
      Controls({}), [pip_args](const DfView& v, std::vector<Violation>* out) {
        ForEachCommand(v, out, [&](const std::vector<std::string>& w, const RunInfo&) {
          std::vector<std::string> args;
          if (!pip_args(w, &args)) return std::string();
          for (size_t i = 0; i < args.size(); ++i) {
            const std::string& a = args[i];
            if (a == "-r" || a == "--requirement" || a == "-c" || a == "--constraint" ||
                StartsWith(a, "--requirement=") || StartsWith(a, "--constraint=")) {
              return std::string();
            }
          }
          for (size_t i = 0; i < args.size(); ++i) {
            const std::string& a = args[i];
            if (a == "-e" || a == "--editable" || a == "-t" || a == "--target" || a == "-i" ||
                a == "--index-url" || a == "--extra-index-url" || a == "-f" ||
                a == "--find-links" || a == "--prefix" || a == "--root") {
              ++i;
              continue;
            }
            if (StartsWith(a, "-") || a.find('$') != std::string::npos) continue;
            bool pinned = a.find("==") != std::string::npos || a.find(">=") != std::string::npos ||
                          a.find("~=") != std::string::npos || a.find("<") != std::string::npos ||
                          a.find('=') != std::string::npos || a.find('@') != std::string::npos;
            bool path = a.find('/') != std::string::npos || a == "." || EndsWith(a, ".whl") ||
                        EndsWith(a, ".tar.gz") || EndsWith(a, ".zip");
            if (!pinned && !path) return "package " + a + " is not pinned";
          }
          return std::string();
        });
      }));

  d.push_back(DF("VGL-DF-014", Severity::kLow, "pip install keeps its cache",
                 "pip's download cache stays in the layer.",
                 "Use pip install --no-cache-dir (or set PIP_NO_CACHE_DIR=1).", Controls({}),
                 [pip_args](const DfView& v, std::vector<Violation>* out) {
                   for (const DfInstruction& ins : v.instructions) {
                     if ((ins.cmd == "ENV" || ins.cmd == "ARG") &&
                         ins.value.find("PIP_NO_CACHE_DIR") != std::string_view::npos) {
                       return;
                     }
                   }
                   ForEachCommand(v, out, [&](const std::vector<std::string>& w, const RunInfo& r) {
                     std::vector<std::string> args;
                     if (!pip_args(w, &args)) return std::string();
                     for (const auto& a : w) {
                       if (a == "--no-cache-dir") return std::string();
                     }
                     const std::string_view* mount = r.ins->Flag("mount");
                     if (mount != nullptr && mount->find("cache/pip") != std::string_view::npos) {
                       return std::string();
                     }
                     return std::string("pip install without --no-cache-dir");
                   });
                 }));

  d.push_back(
      DF("VGL-DF-015", Severity::kMedium, "npm install of a package without a version",
         "Unpinned npm packages make builds unreproducible and expose the build to hijacked "
         "releases.",
         "Install from package-lock.json (npm ci) or name versions: npm install pkg@1.2.3.",
         Controls({}), [](const DfView& v, std::vector<Violation>* out) {
           ForEachCommand(v, out, [](const std::vector<std::string>& w, const RunInfo&) {
             if (w[0] != "npm" || w.size() < 2) return std::string();
             size_t i = 1;
             while (i < w.size() && StartsWith(w[i], "-")) ++i;
             if (i >= w.size()) return std::string();
             const std::string& sub = w[i];
             if (sub != "install" && sub != "i" && sub != "add" && sub != "isntall") {
               return std::string();
             }
             for (++i; i < w.size(); ++i) {
               const std::string& a = w[i];
               if (StartsWith(a, "-") || a.find('$') != std::string::npos) continue;
               if (a.find("://") != std::string::npos || StartsWith(a, "git") ||
                   (a.find('/') != std::string::npos && a[0] != '@')) {
                 continue;
               }
               size_t at = a.find('@', a[0] == '@' ? 1 : 0);
               if (at == std::string::npos) return "package " + a + " has no version";
             }
             return std::string();
           });
         }));

  d.push_back(
      DF("VGL-DF-016", Severity::kMedium, "gem install without a version",
         "Unpinned gems make builds unreproducible and expose the build to hijacked releases.",
         "Name versions: gem install name:1.2.3 or gem install name -v 1.2.3 (or use Bundler).",
         Controls({}), [](const DfView& v, std::vector<Violation>* out) {
           ForEachCommand(v, out, [](const std::vector<std::string>& w, const RunInfo&) {
             if (w[0] != "gem" || w.size() < 2 || w[1] != "install") return std::string();
             // -v/--version pins only a single gem (gem refuses it with several).
             bool version_flag = false;
             std::vector<std::string> gems;
             for (size_t i = 2; i < w.size(); ++i) {
               const std::string& a = w[i];
               if (a == "-v" || a == "--version") {
                 version_flag = true;
                 ++i;
                 continue;
               }
               if (StartsWith(a, "--version=")) version_flag = true;
               if (StartsWith(a, "-") || a.find('$') != std::string::npos) continue;
               gems.push_back(a);
             }
             if (version_flag && gems.size() == 1) return std::string();
             for (const std::string& a : gems) {
               if (a.find(':') == std::string::npos && !EndsWith(a, ".gem")) {
                 return "gem " + a + " has no version";
               }
             }
             return std::string();
           });
         }));

  d.push_back(
      DF("VGL-DF-017", Severity::kHigh, "Downloaded script piped into a shell",
         "curl | sh runs whatever the server (or anyone on the path) returns, unverified, as the "
         "build user.",
         "Download to a file, verify its checksum or signature, then run it.",
         Controls({"cis-docker/4.11"}), [](const DfView& v, std::vector<Violation>* out) {
           for (const RunInfo& r : Runs(v)) {
             for (size_t i = 0; i + 1 < r.cmds.size(); ++i) {
               if (!r.cmds[i].pipes_out) continue;
               std::vector<std::string> a = Program(r.cmds[i]);
               std::vector<std::string> b = Program(r.cmds[i + 1]);
               if (a.empty() || b.empty()) continue;
               static const std::set<std::string> kShells = {"sh",   "bash", "zsh",    "ash",
                                                             "dash", "ksh",  "python", "python3",
                                                             "perl", "ruby", "node"};
               if ((a[0] == "curl" || a[0] == "wget") && kShells.count(b[0])) {
                 out->push_back(At(*r.ins, a[0] + " output piped into " + b[0]));
                 break;
               }
             }
           }
         }));

  d.push_back(
      DF("VGL-DF-018", Severity::kMedium, "sudo in RUN",
         "sudo in a build step has unpredictable TTY and signal behaviour and means the image "
         "ships sudo; build steps that need root should run before USER switches away.",
         "Remove sudo; run privileged steps as root before switching USER.", Controls({}),
         [](const DfView& v, std::vector<Violation>* out) {
           for (const RunInfo& r : Runs(v)) {
             for (const ShellCmd& c : r.cmds) {
               size_t i = 0;
               while (i < c.words.size() && IsAssignment(c.words[i])) ++i;
               if (i < c.words.size() && Base(c.words[i]) == "sudo") {
                 out->push_back(At(*r.ins, "RUN uses sudo"));
                 break;
               }
             }
           }
         }));

  d.push_back(
      DF("VGL-DF-019", Severity::kHigh, "Secret in ENV or ARG",
         "ENV and ARG values are stored in the image configuration and history: anyone who can "
         "pull the image can read them.",
         "Pass secrets at build time with RUN --mount=type=secret, and at run time from a secret "
         "store.",
         Controls({"cis-docker/4.10"}), [](const DfView& v, std::vector<Violation>* out) {
           for (const DfInstruction& ins : v.instructions) {
             if (ins.cmd != "ENV" && ins.cmd != "ARG") continue;
             for (const auto& [key, value] : Pairs(ins)) {
               if (!SecretLikeName(key)) continue;
               // An ARG without a default is only a declaration; a value that is a variable
               // reference or a file path does not embed the secret.
               if (value.empty() || value[0] == '$' || value[0] == '/') continue;
               out->push_back(At(ins, std::string(ins.cmd) + " " + key + " embeds a secret value"));
               break;
             }
           }
         }));

  auto ports = [](const DfInstruction& ins) {
    std::vector<std::pair<long, long>> out;  // ranges
    for (std::string_view a : ins.args) {
      std::string p(a.substr(0, a.find('/')));
      if (p.find('$') != std::string::npos) continue;
      size_t dash = p.find('-');
      std::string lo = p.substr(0, dash);
      std::string hi = dash == std::string::npos ? lo : p.substr(dash + 1);
      auto num = [](const std::string& s) -> long {
        if (s.empty() || s.size() > 9) return -1;
        for (char c : s) {
          if (!std::isdigit(static_cast<unsigned char>(c))) return -1;
        }
        return std::stol(s);
      };
      out.emplace_back(num(lo), num(hi));
    }
    return out;
  };

  d.push_back(
      DF("VGL-DF-020", Severity::kLow, "SSH port 22 exposed",
         "An SSH daemon in a container is an extra remotely reachable service with credentials; "
         "use docker exec / kubectl exec instead.",
         "Remove EXPOSE 22 and the SSH server.", Controls({}),
         [ports](const DfView& v, std::vector<Violation>* out) {
           for (const DfInstruction& ins : v.instructions) {
             if (ins.cmd != "EXPOSE") continue;
             for (auto [lo, hi] : ports(ins)) {
               if (lo >= 0 && lo <= 22 && hi >= 22) {
                 out->push_back(At(ins, "EXPOSE includes port 22"));
                 break;
               }
             }
           }
         }));

  d.push_back(
      DF("VGL-DF-021", Severity::kLow, "No HEALTHCHECK",
         "Without a HEALTHCHECK the engine cannot tell a hung service from a healthy one.",
         "Add a HEALTHCHECK to the final stage (or HEALTHCHECK NONE to state there is none).",
         Controls({"cis-docker/4.6"}), [](const DfView& v, std::vector<Violation>* out) {
           const DfStage* s = FinalStage(v);
           if (s == nullptr || s->resolved == "scratch") return;
           for (const DfInstruction& ins : v.instructions) {
             if (ins.cmd == "HEALTHCHECK" && (ins.stage == s->index || ins.stage < 0)) return;
           }
           out->push_back(At(v.instructions[s->first], "the final stage has no HEALTHCHECK"));
         }));

  // Only the last CMD/ENTRYPOINT/HEALTHCHECK of the final stage takes effect (those of
  // earlier stages never reach the image): every earlier one in that stage is flagged.
  auto multiple = [](std::string_view cmd) {
    return [cmd](const DfView& v, std::vector<Violation>* out) {
      const DfStage* s = FinalStage(v);
      if (s == nullptr) return;
      const DfInstruction* last = nullptr;
      for (size_t i = s->first; i < s->end; ++i) {
        if (v.instructions[i].cmd == cmd) last = &v.instructions[i];
      }
      for (size_t i = s->first; i < s->end; ++i) {
        const DfInstruction& ins = v.instructions[i];
        if (ins.cmd != cmd || &ins == last) continue;
        out->push_back(At(ins, std::string(cmd) + " has no effect: overridden at line " +
                                   std::to_string(last->line)));
      }
    };
  };
  d.push_back(
      DF("VGL-DF-022", Severity::kLow, "Multiple CMD instructions in a stage",
         "Only the last CMD of the final stage takes effect; the others mislead readers and "
         "reviewers.",
         "Keep one CMD per stage.", Controls({}), multiple("CMD")));
  d.push_back(DF("VGL-DF-023", Severity::kLow, "Multiple ENTRYPOINT instructions in a stage",
                 "Only the last ENTRYPOINT takes effect; the others mislead readers and "
                 "reviewers.",
                 "Keep one ENTRYPOINT per stage.", Controls({}), multiple("ENTRYPOINT")));
  d.push_back(DF("VGL-DF-024", Severity::kLow, "Multiple HEALTHCHECK instructions in a stage",
                 "Only the last HEALTHCHECK takes effect; the health check actually run may not "
                 "be the one reviewed.",
                 "Keep one HEALTHCHECK per stage.", Controls({"cis-docker/4.6"}),
                 multiple("HEALTHCHECK")));

  d.push_back(DF("VGL-DF-025", Severity::kLow, "MAINTAINER is deprecated",
                 "MAINTAINER is deprecated; its information belongs in a label.",
                 "Use LABEL org.opencontainers.image.authors=\"...\".", Controls({}),
                 [](const DfView& v, std::vector<Violation>* out) {
                   for (const DfInstruction& ins : v.instructions) {
                     if (ins.cmd == "MAINTAINER") out->push_back(At(ins, "MAINTAINER is used"));
                   }
                 }));

  d.push_back(DF(
      "VGL-DF-026", Severity::kLow, "WORKDIR is a relative path",
      "A relative WORKDIR depends on every earlier WORKDIR; reordering breaks it silently.",
      "Use an absolute WORKDIR.", Controls({}), [](const DfView& v, std::vector<Violation>* out) {
        for (const DfInstruction& ins : v.instructions) {
          if (ins.cmd != "WORKDIR" || ins.value.empty()) continue;
          std::string p = ins.value.size() >= 2 && (ins.value[0] == '"' || ins.value[0] == '\'')
                              ? std::string(ins.value.substr(1))
                              : std::string(ins.value);
          if (p[0] == '/' || p[0] == '$' || p[0] == '%' ||
              (p.size() >= 2 && std::isalpha(static_cast<unsigned char>(p[0])) && p[1] == ':')) {
            continue;
          }
          out->push_back(At(ins, "WORKDIR " + std::string(ins.value) + " is relative"));
        }
      }));

  d.push_back(
      DF("VGL-DF-027", Severity::kMedium, "COPY --from references its own stage or no stage",
         "A stage cannot copy from itself (the build fails), and a --from name that is no stage "
         "is pulled from a registry as an image: a typo (--from=buidler) copies files from "
         "whoever owns that image name.",
         "Reference an existing stage by its AS name, or a fully tagged image.", Controls({}),
         [](const DfView& v, std::vector<Violation>* out) {
           for (const DfInstruction& ins : v.instructions) {
             if (ins.cmd != "COPY" || ins.stage < 0) continue;
             const std::string_view* from = ins.Flag("from");
             if (from == nullptr || from->find('$') != std::string_view::npos) continue;
             std::string ref = ToLower(*from);
             const DfStage* stage = nullptr;
             for (const DfStage& s : v.stages) {
               if (ref == std::to_string(s.index) || (!s.name.empty() && s.name == ref)) stage = &s;
             }
             std::string msg;
             if (stage != nullptr && stage->index == ins.stage) {
               msg = "COPY --from=" + std::string(*from) + " is the current stage";
             } else if (stage == nullptr && !ref.empty() &&
                        std::all_of(ref.begin(), ref.end(), [](char c) {
                          return std::isdigit(static_cast<unsigned char>(c));
                        })) {
               msg = "COPY --from=" + std::string(*from) + ": there is no stage " + ref;
             } else if (stage == nullptr) {
               ImageRef r = ParseImage(*from);
               if (r.tag.empty() && r.digest.empty()) {
                 msg = "COPY --from=" + std::string(*from) + " is no stage: it pulls image " +
                       std::string(*from) + ":latest";
               }
             }
             if (!msg.empty()) out->push_back(At(ins, msg));
           }
         }));

  d.push_back(
      DF("VGL-DF-028", Severity::kHigh, "chmod 777 (world-writable)",
         "World-writable files or directories let any user in the container replace code or "
         "data.",
         "Grant the narrowest mode the application needs (e.g. 755 / 644) and own files by root.",
         Controls({}), [](const DfView& v, std::vector<Violation>* out) {
           ForEachCommand(v, out, [](const std::vector<std::string>& w, const RunInfo&) {
             if (w[0] != "chmod") return std::string();
             for (size_t i = 1; i < w.size(); ++i) {
               const std::string& m = w[i];
               if (m == "777" || m == "0777" || m == "a+rwx" || m == "o+w" || m == "a+w" ||
                   m == "ugo+rwx" || m == "666" || m == "0666" ||
                   (m.size() == 4 && (m[0] == '1' || m[0] == '2' || m[0] == '4' || m[0] == '0') &&
                    m.substr(1) == "777")) {
                 return "chmod " + m + " makes files world-writable";
               }
             }
             return std::string();
           });
           for (const DfInstruction& ins : v.instructions) {
             if (ins.cmd != "COPY" && ins.cmd != "ADD") continue;
             const std::string_view* mode = ins.Flag("chmod");
             if (mode != nullptr && mode->size() >= 3 &&
                 (mode->back() == '7' || mode->back() == '6' || mode->back() == '3' ||
                  mode->back() == '2')) {
               out->push_back(At(ins, std::string(ins.cmd) + " --chmod=" + std::string(*mode) +
                                          " makes files world-writable"));
             }
           }
         }));

  d.push_back(
      DF("VGL-DF-029", Severity::kLow, "cd in RUN instead of WORKDIR",
         "cd to a relative path in RUN depends on the current directory of earlier steps and "
         "hides the working directory from readers.",
         "Use WORKDIR (absolute) to change directory.", Controls({}),
         [](const DfView& v, std::vector<Violation>* out) {
           ForEachCommand(v, out, [](const std::vector<std::string>& w, const RunInfo&) {
             if (w[0] != "cd" || w.size() < 2) return std::string();
             const std::string& p = w[1];
             if (p[0] == '/' && p.find("..") == std::string::npos) return std::string();
             if (p[0] == '$' || p[0] == '~' || p == "-") return std::string();
             return "cd " + p + ": use WORKDIR";
           });
         }));

  d.push_back(DF(
      "VGL-DF-030", Severity::kMedium, "Install after a package index update alone in its RUN",
      "An update in its own RUN is cached as a layer: later installs use a stale index and "
      "miss security fixes.",
      "Update and install in the same RUN (apt-get update && apt-get install -y ...).",
      Controls({"cis-docker/4.7"}), [](const DfView& v, std::vector<Violation>* out) {
        // Package manager family of a command, and whether it updates the index / installs.
        auto family = [](const ShellCmd& c, bool* update, bool* install) -> std::string {
          *update = *install = false;
          PkgCmd p;
          if (ParsePkg(c, &p)) {
            std::string fam =
                p.manager == "apt-get" || p.manager == "apt" || p.manager == "aptitude" ? "apt"
                                                                                        : p.manager;
            *update =
                p.sub == "update" || p.sub == "refresh" || p.sub == "ref" || p.sub == "makecache";
            // An upgrade in the same RUN does not make the update safe for a later install.
            *install = IsInstall(p);
            if (p.manager == "apk" && *install &&
                (HasFlag(p.words, {"--update", "--update-cache"}, "U"))) {
              *update = true;
            }
            return fam;
          }
          std::vector<std::string> w = Program(c);
          if (w.empty() || w[0] != "pacman") return "";
          for (size_t i = 1; i < w.size(); ++i) {
            if (!StartsWith(w[i], "-S")) continue;
            if (w[i].find('y') != std::string::npos) *update = true;
            bool operands = false;
            for (size_t k = i + 1; k < w.size(); ++k) operands = operands || w[k][0] != '-';
            if (operands) *install = true;
          }
          return "pacman";
        };
        int stage = -2;
        std::map<std::string, int> alone;  // family -> line of an update alone in its RUN
        for (const RunInfo& r : Runs(v)) {
          if (r.ins->stage != stage) {
            stage = r.ins->stage;
            alone.clear();
          }
          std::set<std::string> updated, installed;
          for (const ShellCmd& c : r.cmds) {
            bool update = false;
            bool install = false;
            std::string fam = family(c, &update, &install);
            if (fam.empty()) continue;
            if (update) updated.insert(fam);
            if (install) installed.insert(fam);
          }
          for (const std::string& fam : installed) {
            auto it = alone.find(fam);
            if (it != alone.end() && !updated.count(fam)) {
              out->push_back(At(*r.ins, "installs from the " + fam +
                                            " index updated alone at line " +
                                            std::to_string(it->second) +
                                            " (a cached layer: the index may be stale)"));
              alone.erase(it);
              break;
            }
          }
          for (const std::string& fam : updated) {
            if (!installed.count(fam)) alone[fam] = r.ins->line;
          }
        }
      }));

  // yum/dnf/zypper families.
  auto yes_check = [](std::vector<std::string> managers, std::string name) {
    return [managers, name](const DfView& v, std::vector<Violation>* out) {
      ForEachPkg(v, out, [&](const PkgCmd& p, const RunInfo&) -> std::string {
        if (std::find(managers.begin(), managers.end(), p.manager) == managers.end() ||
            !IsInstall(p) || p.packages.empty()) {
          return "";
        }
        bool yes = p.manager == "zypper"
                       ? HasFlag(p.words, {"--non-interactive", "--no-confirm", "-y"}, "ny")
                       : HasFlag(p.words, {"--assumeyes"}, "y");
        return yes ? ""
                   : name + " install without " +
                         (p.manager == "zypper" ? "--non-interactive" : "-y");
      });
    };
  };
  auto clean_check = [](std::vector<std::string> managers, std::string name) {
    return [managers, name](const DfView& v, std::vector<Violation>* out) {
      for (const RunInfo& r : Runs(v)) {
        bool install = false;
        bool clean = false;
        for (const ShellCmd& c : r.cmds) {
          PkgCmd p;
          if (!ParsePkg(c, &p)) {
            std::vector<std::string> w = Program(c);
            if (!w.empty() && w[0] == "rm" &&
                (r.script.find("/var/cache/yum") != std::string::npos ||
                 r.script.find("/var/cache/dnf") != std::string::npos ||
                 r.script.find("/var/cache/zypp") != std::string::npos)) {
              clean = true;
            }
            continue;
          }
          if (std::find(managers.begin(), managers.end(), p.manager) == managers.end()) continue;
          if (IsInstall(p) && !p.packages.empty()) install = true;  // else nothing installed
          if (p.sub == "clean" || p.sub == "cc") clean = true;
        }
        const std::string_view* mount = r.ins->Flag("mount");
        if (mount != nullptr && mount->find("type=cache") != std::string_view::npos) clean = true;
        if (install && !clean) {
          out->push_back(At(*r.ins, name + " install without " + name + " clean in the same RUN"));
        }
      }
    };
  };
  auto pin_check = [](std::vector<std::string> managers, std::string name) {
    return [managers, name](const DfView& v, std::vector<Violation>* out) {
      ForEachPkg(v, out, [&](const PkgCmd& p, const RunInfo&) -> std::string {
        if (std::find(managers.begin(), managers.end(), p.manager) == managers.end() ||
            !IsInstall(p)) {
          return "";
        }
        for (const auto& pkg : p.packages) {
          if (IsLocalPackage(pkg) || pkg.find('=') != std::string::npos ||
              pkg.find('<') != std::string::npos || pkg.find('>') != std::string::npos) {
            continue;
          }
          // name-version: a '-' followed by a digit (httpd-2.4.6).
          bool versioned = false;
          for (size_t i = 0; i + 1 < pkg.size(); ++i) {
            if (pkg[i] == '-' && std::isdigit(static_cast<unsigned char>(pkg[i + 1]))) {
              versioned = true;
            }
          }
          if (!versioned) return "package " + pkg + " is not pinned";
        }
        return "";
      });
    };
  };
  const std::vector<std::string> kYum = {"yum"};
  const std::vector<std::string> kDnf = {"dnf", "microdnf", "tdnf"};
  const std::vector<std::string> kZypper = {"zypper"};
  d.push_back(DF("VGL-DF-031", Severity::kLow, "yum install without -y",
                 "Without -y yum asks for confirmation and the build fails.", "Use yum install -y.",
                 Controls({}), yes_check(kYum, "yum")));
  d.push_back(DF("VGL-DF-032", Severity::kLow, "yum install without yum clean all",
                 "yum's cache stays in the layer: a bigger image with stale metadata.",
                 "End the RUN with yum clean all.", Controls({}), clean_check(kYum, "yum")));
  d.push_back(DF("VGL-DF-033", Severity::kMedium, "yum install without pinned versions",
                 "Unpinned packages make builds unreproducible.",
                 "Pin versions: yum install -y httpd-2.4.6.", Controls({}),
                 pin_check(kYum, "yum")));
  d.push_back(DF("VGL-DF-034", Severity::kLow, "dnf install without -y",
                 "Without -y dnf asks for confirmation and the build fails.", "Use dnf install -y.",
                 Controls({}), yes_check(kDnf, "dnf")));
  d.push_back(DF("VGL-DF-035", Severity::kLow, "dnf install without dnf clean all",
                 "dnf's cache stays in the layer: a bigger image with stale metadata.",
                 "End the RUN with dnf clean all.", Controls({}), clean_check(kDnf, "dnf")));
  d.push_back(DF("VGL-DF-036", Severity::kMedium, "dnf install without pinned versions",
                 "Unpinned packages make builds unreproducible.",
                 "Pin versions: dnf install -y httpd-2.4.6.", Controls({}),
                 pin_check(kDnf, "dnf")));
  d.push_back(DF("VGL-DF-037", Severity::kLow, "zypper install without --non-interactive",
                 "Without -n zypper asks for confirmation and the build fails.",
                 "Use zypper --non-interactive install (or zypper install -y).", Controls({}),
                 yes_check(kZypper, "zypper")));
  d.push_back(DF("VGL-DF-038", Severity::kLow, "zypper install without zypper clean",
                 "zypper's cache stays in the layer: a bigger image with stale metadata.",
                 "End the RUN with zypper clean.", Controls({}), clean_check(kZypper, "zypper")));
  d.push_back(DF("VGL-DF-039", Severity::kMedium, "zypper install without pinned versions",
                 "Unpinned packages make builds unreproducible.",
                 "Pin versions: zypper install -y 'httpd=2.4.6'.", Controls({}),
                 pin_check(kZypper, "zypper")));

  d.push_back(
      DF("VGL-DF-040", Severity::kMedium, "Shell-form CMD or ENTRYPOINT",
         "In shell form the process runs under /bin/sh -c as PID 1: it does not receive SIGTERM, "
         "so containers are killed instead of stopped gracefully.",
         "Use the exec (JSON array) form: CMD [\"app\", \"--flag\"].", Controls({}),
         [](const DfView& v, std::vector<Violation>* out) {
           const DfStage* s = FinalStage(v);
           if (s == nullptr) return;
           for (size_t i = s->first; i < s->end; ++i) {
             const DfInstruction& ins = v.instructions[i];
             if ((ins.cmd == "CMD" || ins.cmd == "ENTRYPOINT") && !ins.json && !ins.value.empty()) {
               out->push_back(At(ins, std::string(ins.cmd) + " uses the shell form"));
             }
           }
         }));

  d.push_back(DF(
      "VGL-DF-041", Severity::kLow, "apt used instead of apt-get",
      "apt's command-line interface is not stable for scripts (it warns so itself).",
      "Use apt-get or apt-cache.", Controls({}), [](const DfView& v, std::vector<Violation>* out) {
        ForEachCommand(v, out, [](const std::vector<std::string>& w, const RunInfo&) {
          return w[0] == "apt" ? std::string("apt in a build script: use apt-get") : std::string();
        });
      }));

  d.push_back(
      DF("VGL-DF-042", Severity::kMedium, "Two stages share an alias",
         "COPY --from and FROM references resolve to one of them only; the other is unreachable "
         "or the wrong one is used.",
         "Give each stage a unique AS name.", Controls({}),
         [](const DfView& v, std::vector<Violation>* out) {
           // Flagged at the first definition: the one later references no longer reach.
           std::set<std::string_view> reported;
           for (size_t i = 0; i < v.stages.size(); ++i) {
             const DfStage& s = v.stages[i];
             if (s.name.empty() || reported.count(s.name)) continue;
             for (size_t k = i + 1; k < v.stages.size(); ++k) {
               if (v.stages[k].name == s.name) {
                 reported.insert(s.name);
                 out->push_back(At(v.instructions[s.first], "stage alias " + std::string(s.name) +
                                                                " is defined again at line " +
                                                                std::to_string(v.stages[k].line)));
                 break;
               }
             }
           }
         }));

  d.push_back(
      DF("VGL-DF-043", Severity::kMedium,
         "COPY of several sources to a destination not ending "
         "in /",
         "With more than one source the destination must be a directory ending in /; the build "
         "fails.",
         "End the destination with /.", Controls({}),
         [](const DfView& v, std::vector<Violation>* out) {
           for (const DfInstruction& ins : v.instructions) {
             if ((ins.cmd != "COPY" && ins.cmd != "ADD") || ins.args.size() < 3 ||
                 !ins.heredocs.empty()) {
               continue;
             }
             std::string_view dest = ins.args.back();
             if (!EndsWith(dest, "/") && dest.find('$') == std::string_view::npos) {
               out->push_back(At(ins, std::string(ins.cmd) + " of several sources to " +
                                          std::string(dest) + " (no trailing /)"));
             }
           }
         }));

  d.push_back(DF("VGL-DF-044", Severity::kLow, "EXPOSE port out of range",
                 "Ports above 65535 do not exist; the build or the run fails.",
                 "Expose ports between 0 and 65535.", Controls({}),
                 [ports](const DfView& v, std::vector<Violation>* out) {
                   for (const DfInstruction& ins : v.instructions) {
                     if (ins.cmd != "EXPOSE") continue;
                     for (auto [lo, hi] : ports(ins)) {
                       if (lo > 65535 || hi > 65535) {
                         out->push_back(At(ins, "EXPOSE of a port above 65535"));
                         break;
                       }
                     }
                   }
                 }));

  d.push_back(DF(
      "VGL-DF-045", Severity::kLow, "Pipe in RUN without pipefail",
      "The exit status of a pipe is that of its last command: a failed download piped into "
      "another command does not fail the build.",
      "Set SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"] (or set -o pipefail in the RUN).",
      Controls({}), [](const DfView& v, std::vector<Violation>* out) {
        bool pipefail_shell = false;
        int stage = -2;
        for (const DfInstruction& ins : v.instructions) {
          if (ins.stage != stage) {
            stage = ins.stage;
            pipefail_shell = false;
          }
          if (ins.cmd == "SHELL") {
            std::string all;
            for (auto a : ins.args) all += std::string(a) + " ";
            pipefail_shell = all.find("pipefail") != std::string::npos;
            if (!ins.args.empty() && (ins.args[0].find("pwsh") != std::string_view::npos ||
                                      ins.args[0].find("powershell") != std::string_view::npos)) {
              pipefail_shell = true;
            }
          }
          if (ins.cmd != "RUN" || ins.json || pipefail_shell) continue;
          std::string script(ins.value);
          for (const DfHeredoc& h : ins.heredocs) script += "\n" + std::string(h.content);
          if (script.find("pipefail") != std::string::npos) continue;
          for (const ShellCmd& c : SplitShell(script)) {
            if (c.pipes_out) {
              out->push_back(At(ins, "RUN uses a pipe without pipefail"));
              break;
            }
          }
        }
      }));

  d.push_back(
      DF("VGL-DF-046", Severity::kMedium, "RUN replaces the default shell",
         "Replacing /bin/sh with a link to another shell changes every later RUN behind the "
         "reader's back; the SHELL instruction states it explicitly.",
         "Use SHELL [\"/bin/bash\", \"-c\"].", Controls({}),
         [](const DfView& v, std::vector<Violation>* out) {
           ForEachCommand(v, out, [](const std::vector<std::string>& w, const RunInfo&) {
             if (w[0] != "ln" || w.size() < 3) return std::string();
             const std::string& target = w.back();
             if (target == "/bin/sh" || target == "/usr/bin/sh") {
               return std::string("RUN relinks ") + target;
             }
             return std::string();
           });
         }));

  d.push_back(
      DF("VGL-DF-047", Severity::kLow, "COPY --chown gives the files to a non-root user",
         "Files owned by the user the container runs as can be modified by a compromised "
         "process; executables and code should be owned by root and only readable.",
         "Leave files owned by root; chown only the data directories the application writes.",
         Controls({}), [](const DfView& v, std::vector<Violation>* out) {
           for (const DfInstruction& ins : v.instructions) {
             if (ins.cmd != "COPY" && ins.cmd != "ADD") continue;
             const std::string_view* owner = ins.Flag("chown");
             if (owner != nullptr && !IsRootUser(*owner)) {
               out->push_back(At(ins, std::string(ins.cmd) + " --chown=" + std::string(*owner)));
             }
           }
         }));

  d.push_back(
      DF("VGL-DF-048", Severity::kMedium, "Exec form that is not valid JSON",
         "A CMD/ENTRYPOINT/RUN that looks like a JSON array but is not valid JSON (single quotes, "
         "trailing comma) runs in shell form as /bin/sh -c '[...]' and fails at run time.",
         "Write the array with double quotes and no trailing comma.", Controls({}),
         [](const DfView& v, std::vector<Violation>* out) {
           for (const DfInstruction& ins : v.instructions) {
             if ((ins.cmd == "CMD" || ins.cmd == "ENTRYPOINT" || ins.cmd == "RUN" ||
                  ins.cmd == "SHELL") &&
                 !ins.json && StartsWith(ins.value, "[") && EndsWith(Trim(ins.value), "]")) {
               out->push_back(At(ins, std::string(ins.cmd) + " is not a valid JSON array"));
             }
           }
         }));

  d.push_back(DF(
      "VGL-DF-049", Severity::kMedium, "setuid or setgid bit set",
      "setuid/setgid binaries run with their owner's privileges: a local privilege "
      "escalation path inside the container.",
      "Do not add setuid/setgid bits; remove existing ones (find / -perm /6000 -exec chmod a-s).",
      Controls({"cis-docker/4.8"}), [](const DfView& v, std::vector<Violation>* out) {
        ForEachCommand(v, out, [](const std::vector<std::string>& w, const RunInfo&) {
          if (w[0] != "chmod") return std::string();
          for (size_t i = 1; i < w.size(); ++i) {
            const std::string& m = w[i];
            if (StartsWith(m, "-")) continue;
            bool symbolic = m.find("+s") != std::string::npos && m.find('-') == std::string::npos;
            bool octal =
                m.size() == 4 &&
                std::all_of(m.begin(), m.end(), [](char c) { return c >= '0' && c <= '7'; }) &&
                (m[0] == '2' || m[0] == '4' || m[0] == '6');
            if (symbolic || octal) return "chmod " + m + " sets setuid/setgid";
          }
          return std::string();
        });
      }));

  d.push_back(DF("VGL-DF-050", Severity::kLow,
                 "Remote download without TLS or with verification off",
                 "Downloads over plain HTTP or with certificate checks disabled can be replaced in "
                 "transit.",
                 "Use https:// and keep certificate verification on; verify checksums.",
                 Controls({"cis-docker/4.11"}), [](const DfView& v, std::vector<Violation>* out) {
                   ForEachCommand(v, out, [](const std::vector<std::string>& w, const RunInfo&) {
                     if (w[0] != "curl" && w[0] != "wget") return std::string();
                     for (size_t i = 1; i < w.size(); ++i) {
                       const std::string& a = w[i];
                       if (a == "-k" || a == "--insecure" || a == "--no-check-certificate") {
                         return w[0] + " " + a + " disables certificate verification";
                       }
                     }
                     return std::string();
                   });
                 }));

  return d;
}

}  // namespace

Status RegisterDockerfileChecks(CheckRegistry* registry) { return k8s::Register(registry, Defs()); }

}  // namespace vigil::config
