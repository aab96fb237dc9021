# Every dependency comes from a Debian 12 package; see the README's dependency table.
find_package(Threads REQUIRED)
find_package(Protobuf REQUIRED)            # protobuf-compiler, libprotobuf-dev
find_package(gRPC CONFIG REQUIRED)         # libgrpc++-dev, protobuf-compiler-grpc
find_package(absl CONFIG REQUIRED)         # libabsl-dev
find_package(prometheus-cpp CONFIG REQUIRED)  # prometheus-cpp-dev
find_package(nlohmann_json REQUIRED)       # nlohmann-json3-dev
find_package(SQLite3 REQUIRED)             # libsqlite3-dev
find_package(OpenSSL REQUIRED)             # libssl-dev
find_package(GTest REQUIRED)               # libgtest-dev, libgmock-dev
find_package(PkgConfig REQUIRED)
# Debian's cpp-httplib is a compiled library whose pkg-config flags define the
# CPPHTTPLIB_*_SUPPORT macros: always link PkgConfig::HTTPLIB so every file that
# includes httplib.h sees the same class layout.
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
# libpq (libpq-dev) for the PostgreSQL inbox; the C library is all it needs, so no libpqxx.
pkg_check_modules(LIBPQ REQUIRED IMPORTED_TARGET libpq)
