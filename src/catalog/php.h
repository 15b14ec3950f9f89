// PHP Composer packages: vendor/composer/installed.json (what `composer install` put in
// vendor/; format 1: a JSON array, format 2: {"packages": [...], "dev-package-names": [...]})
// and composer.lock ("packages" and "packages-dev"). Pure functions over one file's text;
// PhpCataloger (lang.h) dispatches files to them.
#pragma once

#include <string>
#include <string_view>

#include "catalog/cataloger.h"

namespace vigil::catalog {

// pkg:composer/<vendor>/<name>@<version>. The version is kept as published ("v5.4.0"):
// the purl spec's composer type does not normalise it, and neither do Trivy or Syft.
std::string ComposerPurl(std::string_view name, std::string_view version);

// installed.json, both formats; packages listed in "dev-package-names" are dev.
CatalogResult ParseComposerInstalled(std::string_view path, std::string_view text);

// composer.lock; "packages-dev" entries are dev.
CatalogResult ParseComposerLock(std::string_view path, std::string_view text);

}  // namespace vigil::catalog
