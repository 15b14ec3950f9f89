#include "match/version_util.h"
namespace vigil::match::internal {
namespace {
class Stub final : public VersionScheme {
 public:
  explicit Stub(std::string_view n) : n_(n) {}
  std::string_view Name() const override { return n_; }
  StatusOr<int> Compare(std::string_view, std::string_view) const override {
    return UnimplementedError("todo");
  }
  Status Validate(std::string_view) const override { return UnimplementedError("todo"); }
  std::string_view n_;
};
}  // namespace
#define STUB(F) const VersionScheme& F() { static const Stub k(#F); return k; }

STUB(NuGetScheme)
STUB(CranScheme) STUB(HackageScheme)
}  // namespace vigil::match::internal
