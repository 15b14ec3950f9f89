// The one heuristic for "this name holds a credential" and "this value is a placeholder",
// shared by the Dockerfile, compose, container, Kubernetes and image-config checks so they
// agree on what a secret-looking environment variable, argument or label is.
#pragma once

#include <string_view>

namespace vigil::config {

// Whether an environment/argument/label name looks like it holds a credential (PASSWORD,
// SECRET, TOKEN, API_KEY, PRIVATE_KEY, *_KEY, *_PASS, ...; not PUBLIC_KEY, KEY_ID, *_FILE,
// *_PATH, PWD). Case-insensitive.
bool SecretLikeName(std::string_view name);

// Whether a value is a placeholder rather than a credential ("", "changeme", "${X}",
// "<token>", "xxx", "example", "true", a file path).
bool PlaceholderValue(std::string_view value);

}  // namespace vigil::config
