# The registry client (OCI distribution API over libcurl), kept in its own library so the
# rest of src/image does not link libcurl. Included from src/image/CMakeLists.txt.
find_package(CURL REQUIRED)

vigil_library(image_registry
  SOURCES registry.cc registry_http.cc registry_auth.cc docker_config.cc
  DEPS vigil_image vigil_base CURL::libcurl OpenSSL::SSL nlohmann_json::nlohmann_json)

vigil_test(image_registry_test
  SOURCES registry_unit_test.cc
  DEPS vigil_image_registry)

# Real docker-registry on loopback (testdata/registry/make_fixtures.sh builds the images).
vigil_test(image_registry_integration_test
  SOURCES registry_integration_test.cc registry_test_server.cc
  DEPS vigil_image_registry
  LABELS integration TIMEOUT 120 RESOURCE_LOCK registry)
target_compile_definitions(image_registry_integration_test
  PRIVATE VIGIL_TEST_SOURCE_DIR="${PROJECT_SOURCE_DIR}")

vigil_fuzz(registry_auth
  SOURCES registry_fuzz.cc
  DEPS vigil_image_registry
  CORPUS ${PROJECT_SOURCE_DIR}/testdata/fuzz/registry_auth)
