# Every dependency comes from Debian's packages (scripts/install-deps.sh); nothing is
# downloaded at configure time.
find_package(CLI11 REQUIRED)
find_package(fmt REQUIRED)
find_package(nlohmann_json 3.11 REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(CURL 8.11 REQUIRED)
find_package(OpenSSL 3 REQUIRED)
find_package(PkgConfig REQUIRED)
# Debian's libzip CMake package also demands its command-line tools, so use pkg-config.
pkg_check_modules(LIBZIP REQUIRED IMPORTED_TARGET libzip)
find_package(Protobuf REQUIRED)

if(MCONV_BUILD_TESTS)
  find_package(Catch2 3 REQUIRED)
endif()
