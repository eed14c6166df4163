# The Debian package (docs/packaging.md): CPack's DEB generator over the install rules. Build it
# from a tree configured for /usr (tools/package-deb.sh does):
#   cmake -S . -B build-deb -DCMAKE_INSTALL_PREFIX=/usr -DMYDOCKER_BUILD_TESTS=OFF
#   cmake --build build-deb && (cd build-deb && cpack -G DEB)
# The paths the programs find each other by (the helper, mydocker-nft, mydocker-registry) are
# fixed from the install prefix at configure time, so a package is made for the prefix it was
# configured with.

# The documentation: the README and docs/ as the package's /usr/share/doc/mydocker.
install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR}
        FILES_MATCHING PATTERN "*.md")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME mydocker)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "mydocker")
set(CPACK_PACKAGE_CONTACT "mydocker developers <mydocker@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Linux container runtime with a Docker-like CLI")
set(CPACK_PACKAGE_DESCRIPTION
    "mydocker runs Linux containers: the mydocker CLI (Docker's commands), its helper,\n"
    "the OCI runtime mydocker-runc, libmydocker (a stable C ABI) with headers, pkg-config\n"
    "and CMake files, the Python package pymydocker, man pages and bash and zsh completions.")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # mydocker_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Depends from the shared objects the binaries link (dpkg-shlibdeps, from dpkg-dev), plus the
# interpreter of the Python package, which links no libpython.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "python3")
# fuse-overlayfs: the storage driver of a state root on overlayfs (docs/images.md).
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "fuse-overlayfs")
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)  # libmydocker.so.1's shlibs file
set(CPACK_STRIP_FILES ON)
include(CPack)
