#include "image/docker_config.h"

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "base/strings.h"
#include "image/registry_http.h"

namespace vigil::image {
namespace {

// "https://Host:5000/v1/" -> "host:5000".
std::string NormalizeKey(std::string_view key) {
  std::string_view k = Trim(key);
  size_t scheme = k.find("://");
  if (scheme != std::string_view::npos) k = k.substr(scheme + 3);
  size_t slash = k.find('/');
  if (slash != std::string_view::npos) k = k.substr(0, slash);
  std::string host = ToLower(k);
  if (host == "index.docker.io" || host == "registry-1.docker.io") host = "docker.io";
  return host;
}

std::string StringField(const nlohmann::json& obj, const char* name) {
  auto it = obj.find(name);
  if (it == obj.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

}  // namespace

StatusOr<DockerConfig> ParseDockerConfig(std::string_view json) {
  nlohmann::json doc = nlohmann::json::parse(json.begin(), json.end(), nullptr,
                                             /*allow_exceptions=*/false);
  if (doc.is_discarded()) return InvalidArgumentError("docker config: invalid JSON");
  if (!doc.is_object()) return InvalidArgumentError("docker config: not a JSON object");
  DockerConfig config;
  if (auto it = doc.find("auths"); it != doc.end() && it->is_object()) {
    for (const auto& [key, entry] : it->items()) {
      if (!entry.is_object()) continue;
      DockerCredential cred;
      cred.username = StringField(entry, "username");
      cred.password = StringField(entry, "password");
      cred.identity_token = StringField(entry, "identitytoken");
      std::string auth = StringField(entry, "auth");
      if (!auth.empty()) {
        auto decoded = Base64Decode(Trim(auth));
        size_t colon = decoded.ok() ? decoded->find(':') : std::string::npos;
        if (colon == std::string::npos) {
          return InvalidArgumentError("docker config: auths[\"" + key +
                                      "\"].auth is not base64 of user:password");
        }
        cred.username = decoded->substr(0, colon);
        cred.password = decoded->substr(colon + 1);
      }
      config.auths[key] = std::move(cred);
    }
  }
  if (auto it = doc.find("credHelpers"); it != doc.end() && it->is_object()) {
    for (const auto& [key, helper] : it->items()) {
      if (helper.is_string()) config.cred_helpers[key] = helper.get<std::string>();
    }
  }
  config.creds_store = StringField(doc, "credsStore");
  return config;
}

std::string DefaultDockerConfigPath() {
  if (const char* dir = std::getenv("DOCKER_CONFIG"); dir != nullptr && dir[0] != '\0') {
    return std::string(dir) + "/config.json";
  }
  const char* home = std::getenv("HOME");
  return std::string(home != nullptr ? home : "") + "/.docker/config.json";
}

CredentialLookup FindDockerCredential(const DockerConfig& config, std::string_view registry) {
  CredentialLookup result;
  std::string want = NormalizeKey(registry);
  for (const auto& [key, helper] : config.cred_helpers) {
    if (NormalizeKey(key) == want) {
      result.helper = helper;
      return result;  // a per-registry helper overrides auths, as in the docker CLI
    }
  }
  for (const auto& [key, cred] : config.auths) {
    if (NormalizeKey(key) == want && !cred.empty()) {
      result.credential = cred;
      return result;
    }
  }
  if (!config.creds_store.empty()) result.helper = config.creds_store;
  return result;
}

}  // namespace vigil::image
