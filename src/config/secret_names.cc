#include "config/secret_names.h"

#include <algorithm>
#include <cctype>
#include <string>

#include "base/strings.h"

namespace vigil::config {
namespace {

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

bool SecretLikeName(std::string_view name) {
  std::string n = Upper(name);
  for (std::string_view not_secret : {"PUBLIC_KEY",
                                      "PUBKEY",
                                      "KEY_ID",
                                      "KEYID",
                                      "_FILE",
                                      "_PATH",
                                      "_DIR",
                                      "_URL_FILE",
                                      "TOKEN_URL",
                                      "TOKEN_ENDPOINT",
                                      "KEYRING",
                                      "KEYSERVER",
                                      "GPG_KEY",
                                      "KEY_FINGERPRINT",
                                      "PASSWORD_LENGTH",
                                      "_LENGTH",
                                      "_MIN",
                                      "_MAX",
                                      "_TTL",
                                      "_EXPIRY",
                                      "_TIMEOUT"}) {
    if (n.find(not_secret) != std::string::npos) return false;
  }
  if (n == "PWD" || n == "OLDPWD") return false;  // the shell's working directory
  if (n == "PASS" || n == "PGPASS" || n == "PGPASSWORD") return true;
  for (std::string_view secret :
       {"PASSWORD", "PASSWD", "PASSPHRASE", "SECRET", "TOKEN", "API_KEY", "APIKEY", "ACCESS_KEY",
        "PRIVATE_KEY", "CREDENTIAL", "AUTH_KEY", "CLIENT_KEY", "DB_PASS", "_PASS", "PWD"}) {
    if (n.find(secret) != std::string::npos) return true;
  }
  // A bare KEY, or KEY as a word of the name (SIGNING_KEY, KEY_MATERIAL).
  return n == "KEY" || EndsWith(n, "_KEY") || StartsWith(n, "KEY_");
}

bool PlaceholderValue(std::string_view value) {
  value = Trim(value);
  if (value.empty()) return true;
  if (value.front() == '$' || (value.front() == '<' && value.back() == '>') ||
      value.front() == '/' || StartsWith(value, "{{")) {
    return true;
  }
  std::string v = Upper(value);
  for (std::string_view word : {"NONE", "NULL", "NIL", "TRUE", "FALSE", "TODO", "TBD", "SECRET",
                                "PASSWORD", "TOKEN", "EMPTY", "UNSET", "DEFAULT"}) {
    if (v == word) return true;
  }
  for (std::string_view marker :
       {"CHANGEME", "CHANGE_ME", "CHANGE-ME", "EXAMPLE", "PLACEHOLDER", "REPLACE_ME", "REPLACEME",
        "YOUR_", "YOUR-", "DUMMY", "REDACTED", "XXXX", "****"}) {
    if (v.find(marker) != std::string::npos) return true;
  }
  // A single repeated character ("aaaa", "0000") is a filler, not a credential.
  return std::all_of(value.begin(), value.end(), [&](char c) { return c == value.front(); });
}

}  // namespace vigil::config
