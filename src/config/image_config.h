// Image configuration as configuration input: the OCI/Docker image config JSON (the blob
// every image carries: user, environment, exposed ports, labels, healthcheck and the build
// history) checked like a Dockerfile that is no longer there. `vigil image REF --scanners
// misconfig` runs these checks (issue: secrets, malware and image configuration).
//
// The config becomes one Resource of kind "ImageConfig" (name = the image reference, ns "")
// whose node is the config document itself, so checks read `config.User`, `config.Env[3]`,
// `history[5].created_by`. Findings carry no file line (a registry's config is one line of
// JSON); the field path is in the message.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"
#include "config/check.h"
#include "config/scan.h"
#include "report/finding.h"

namespace vigil::config {

inline constexpr std::string_view kImageConfigKind = "ImageConfig";

// Registers VGL-IMG-* checks.
Status RegisterImageConfigChecks(CheckRegistry* registry);

// Checks the config JSON of image `image_name` with the built-in registry (the checks that
// apply to ImageConfig, filtered by options.standards / ignore_ids like any scan). A config
// that is not a JSON object is an InvalidArgument error naming the image.
StatusOr<report::Report> ScanImageConfig(std::string_view config_json, std::string_view image_name,
                                         const ScanOptions& options);

}  // namespace vigil::config
