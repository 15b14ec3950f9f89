// A parser for the deb822 control-file syntax (deb822(5)) shared by the dpkg status
// database, distroless status.d/ files and machine-readable debian/copyright (DEP-5).
//
// Syntax handled: paragraphs separated by one or more empty (or whitespace-only) lines;
// "Field: value" lines; continuation lines that start with a space or tab; field names
// compared case-insensitively. Untrusted input: a malformed line (no colon, empty field
// name, continuation before any field, duplicate field) marks its paragraph bad; bad
// paragraphs are returned with `error` set (file:line: reason) rather than aborting the
// parse, so one corrupt entry never hides the rest of the database.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace vigil::catalog {

struct Deb822Field {
  std::string name;
  // The first line's value, trimmed; continuation lines follow, each after a '\n', with
  // their leading whitespace removed (a lone "." line, deb822's blank-line marker, is kept).
  std::string value;
  int line = 0;  // 1-based line of the "Field:" line
};

struct Deb822Paragraph {
  int line = 0;  // 1-based line where the paragraph starts
  std::vector<Deb822Field> fields;
  std::string error;  // non-empty: "file:line: reason"; the fields may be partial

  // The field's value, or nullptr when absent. Field names are case-insensitive.
  const std::string* Find(std::string_view name) const;
  // The first line of the field's value ("" when absent).
  std::string_view FirstLine(std::string_view name) const;
};

struct Deb822Options {
  // Lines starting with '#' are comments (allowed in debian/control-style files, not in
  // the dpkg status database, where such a line is an error).
  bool allow_comments = false;
};

// Parses `text`; `file` names the input in error messages. Never fails: problems are
// reported per paragraph.
std::vector<Deb822Paragraph> ParseDeb822(std::string_view text, std::string_view file,
                                         const Deb822Options& options = {});

}  // namespace vigil::catalog
