// Where tests find their inputs: the source tree (testdata/, data/) and the optional data
// beside the checkout (../shared, DESIGN.md "Data in ../shared"). Test-only: linked by test
// targets through vigil_test_paths, never by the product.
#pragma once

#include <string>

namespace vigil::test_paths {

// The root of the source tree: $VIGIL_SOURCE_DIR, which ctest sets for every test that
// vigil_test / vigil_script_test register (cmake/VigilHelpers.cmake). When it is unset (a test
// binary run by hand) the current directory, as an absolute path (paths under it may be handed
// to a FileSystem rooted at "/"), so such a run must start in the checkout's root, which is
// also the working directory ctest gives every test. Read on every call (tests may set it).
std::string SourceDir();

// SourceDir() + "/../shared": the data sets, corpora and advisory snapshots that sit beside the
// checkout. They are optional: a test that needs a folder under it checks that the folder exists
// and skips with a reason when it does not.
std::string SharedDir();

}  // namespace vigil::test_paths
