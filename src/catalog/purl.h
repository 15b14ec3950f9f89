// Package URL construction (purl-spec, "Characters and encoding"): every component is
// UTF-8 percent-encoded except the alphanumerics and ".-_~", so an epoch's ':' becomes %3A
// and a '+' in a Debian version becomes %2B. Qualifiers are emitted sorted by key with empty
// values dropped, as the spec's canonical form requires.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vigil::catalog {

std::string PurlEncode(std::string_view s);

// pkg:<type>/<namespace>/<name>@<version>?<k=v&...>; `ns` and `version` may be empty.
std::string MakePurl(std::string_view type, std::string_view ns, std::string_view name,
                     std::string_view version,
                     std::vector<std::pair<std::string, std::string>> qualifiers);

}  // namespace vigil::catalog
