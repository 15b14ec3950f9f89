// PLACEHOLDER (being written now): replaced by the real cataloger before this lands.
#include "catalog/lang.h"

namespace vigil::catalog {
namespace {
class NpmImpl : public LanguageCataloger {
 public:
  std::string_view name() const override { return "npm"; }
  std::string_view version() const override { return "0"; }
  bool Wants(std::string_view, const FileInfo&) const override { return false; }
  StatusOr<CatalogResult> CatalogFile(const FileSystem&, const std::string&,
                                      const LangContext&) const override {
    return CatalogResult{};
  }
};
}  // namespace

const LanguageCataloger& NpmCataloger() {
  static const NpmImpl kInstance;
  return kInstance;
}

}  // namespace vigil::catalog
