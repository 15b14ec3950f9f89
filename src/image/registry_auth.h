// Registry authentication: parsing WWW-Authenticate challenges (RFC 7235) and the docker
// token flow's scope strings. The network side (fetching tokens) lives in registry.cc.
//
// Parsers here take untrusted bytes from the network and never assert; they have a fuzz
// target (fuzz_registry_auth).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace vigil::image {

struct AuthChallenge {
  std::string scheme;                         // lower-case: "bearer", "basic", ...
  std::map<std::string, std::string> params;  // names lower-case, values unquoted
  std::string token68;                        // for schemes that carry one instead of params

  std::string Param(std::string_view name) const;
};

// Parses a WWW-Authenticate header value, which may hold several comma-separated challenges:
//   Bearer realm="https://auth.example/token",service="registry",scope="repository:a:pull"
//   Basic realm="Registry Realm", Bearer realm="x"
// Errors (InvalidArgument) name the offset of the first malformed token.
StatusOr<std::vector<AuthChallenge>> ParseWwwAuthenticate(std::string_view header);

// "repository:library/alpine:pull"; the catalog's scope is "registry:catalog:*".
std::string RepositoryScope(std::string_view repository, std::string_view actions = "pull");
inline constexpr std::string_view kCatalogScope = "registry:catalog:*";

}  // namespace vigil::image
