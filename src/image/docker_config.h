// Credentials from a docker client configuration file (~/.docker/config.json):
//
//   {"auths": {"registry.example:5000": {"auth": "<base64 user:password>"},
//              "https://index.docker.io/v1/": {"username": "u", "password": "p"},
//              "ghcr.io": {"identitytoken": "<OAuth2 refresh token>"}},
//    "credHelpers": {"gcr.io": "gcloud"}, "credsStore": "desktop"}
//
// Credential helpers (credHelpers, credsStore) are NOT run: executing a helper binary named
// by a config file is a policy decision we do not take implicitly. When the entry for a
// registry is delegated to a helper, lookup reports it (CredentialLookup::helper) so the
// caller can say why the pull is anonymous.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"

namespace vigil::image {

struct DockerCredential {
  std::string username;
  std::string password;
  // An OAuth2 refresh token ("identitytoken"): exchanged at the token realm with
  // grant_type=refresh_token instead of basic credentials.
  std::string identity_token;
  bool empty() const { return username.empty() && password.empty() && identity_token.empty(); }
};

struct DockerConfig {
  std::map<std::string, DockerCredential> auths;    // key as written in the file
  std::map<std::string, std::string> cred_helpers;  // registry -> helper suffix
  std::string creds_store;
};

// Parses the JSON text of a config file. Unknown keys are ignored; an "auth" value that is
// not base64 of "user:password" is an InvalidArgument naming the registry key.
StatusOr<DockerConfig> ParseDockerConfig(std::string_view json);

// $DOCKER_CONFIG/config.json if DOCKER_CONFIG is set, else $HOME/.docker/config.json.
std::string DefaultDockerConfigPath();

struct CredentialLookup {
  std::optional<DockerCredential> credential;
  std::string helper;  // non-empty when a credential helper would have been used
};

// Finds the entry for `registry` ("host[:port]", "docker.io" for Docker Hub). Keys match
// after normalising away a scheme and a path ("https://host:5000/v1/" == "host:5000");
// docker.io also matches "index.docker.io" and "registry-1.docker.io" keys.
CredentialLookup FindDockerCredential(const DockerConfig& config, std::string_view registry);

}  // namespace vigil::image
