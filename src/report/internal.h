// Helpers shared by the writers and parsers of src/report. Not part of the public API:
// other folders include finding.h, alert.h, sbom.h, writer.h and json.h only.
#pragma once

#include <chrono>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "base/status.h"
#include "nlohmann/json.hpp"
#include "report/finding.h"
#include "report/sbom.h"
#include "report/writer.h"

namespace vigil::report::internal {

using OrderedJson = nlohmann::ordered_json;

// Serialises with two-space indentation and a trailing newline. Invalid UTF-8 in model
// strings (file names from hostile images) is replaced with U+FFFD rather than throwing.
std::string Dump(const OrderedJson& j);
std::string Dump(const nlohmann::json& j);

// Replaces every byte sequence that is not valid UTF-8 with U+FFFD.
std::string SanitizeUtf8(std::string_view s);
// Number of code points (a terminal-column approximation good enough for table output).
size_t DisplayWidth(std::string_view s);
// Cuts `s` to at most `width` code points, ending in "..." when cut.
std::string Truncate(std::string_view s, size_t width);
// Escapes text for XML 1.0 content and attribute values; control characters XML forbids are
// dropped and invalid UTF-8 is replaced.
std::string XmlEscape(std::string_view s);

// "urn:uuid:..." style UUID (version 5 layout, variant 1) derived from SHA-256 of `seed`, so
// documents generated from the same model get the same serial number.
std::string DeterministicUuid(std::string_view seed);

// Parses RFC 3339 ("2026-11-24T06:04:43Z", fractional seconds and numeric offsets allowed).
StatusOr<std::chrono::system_clock::time_point> ParseRfc3339(std::string_view s);
// `created_at` as second-precision UTC ("...Z"), as SPDX requires; the Unix epoch when the
// model has no parseable time (keeps output valid and deterministic).
std::string NormalizeTimestamp(std::string_view s);

// The SPDX license list spelling of `id` when it is a known simple license identifier
// ("mit" -> "MIT"); nullopt for free text and expressions.
std::optional<std::string> CanonicalSpdxLicenseId(std::string_view id);

// The purl type ("deb", "npm", ...) of "pkg:type/...", or "" when `purl` is not a purl.
std::string PurlType(std::string_view purl);

// The heading of a report section for findings of kind `k` ("Vulnerabilities", ...).
std::string_view SectionTitle(FindingKind k);
// Shortened hex SHA-256, for generated identifiers.
std::string ShortHash(std::string_view data, size_t hex_chars = 12);

// The writers, dispatched from writer.cc.
void WriteTable(const Report& report, std::ostream& out, const WriteOptions& options);
void WriteJson(const Report& report, std::ostream& out);
void WriteSarif(const Report& report, std::ostream& out);
void WriteJunit(const Report& report, std::ostream& out);
void WriteHtml(const Report& report, std::ostream& out);
// Either argument may be null (not both): a report alone yields components built from the
// findings' packages; an SBOM alone yields no vulnerabilities.
void WriteCycloneDx(const Report* report, const Sbom* sbom, std::ostream& out,
                    const WriteOptions& options = {});
void WriteSpdx(const Sbom& sbom, std::ostream& out);
void WriteSbomTable(const Sbom& sbom, std::ostream& out, const WriteOptions& options);

}  // namespace vigil::report::internal
