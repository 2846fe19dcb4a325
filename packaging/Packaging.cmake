# Install layout and the three packages, deb and rpm alike, from one cpack run:
#   p88               p88host, the bundled plugins, the systemd unit, the default configuration, logrotate, docs
#   p88-dev           the SDK: headers, the P88Sdk CMake package, the example plugin's source
#   p88-provider-sim  the providers' simulator, for sandboxes and trials
#   cmake --preset release && cmake --build --preset release && (cd build/release && cpack)
# Maintainer scripts are in packaging/debian/p88 (debhelper's systemd snippets) and packaging/rpm.
set(P88_CONFIG_DIR /etc/p88)
set(P88_PACKAGING_DIR ${PROJECT_SOURCE_DIR}/packaging)

install(FILES ${P88_PACKAGING_DIR}/p88host.properties DESTINATION ${P88_CONFIG_DIR} COMPONENT host)
install(FILES ${P88_PACKAGING_DIR}/p88host.service DESTINATION lib/systemd/system COMPONENT host)
install(FILES ${P88_PACKAGING_DIR}/p88host.logrotate DESTINATION /etc/logrotate.d RENAME p88host COMPONENT host)
install(FILES ${P88_PACKAGING_DIR}/grafana/p88-race-morning.json
        DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/p88/grafana COMPONENT host)
install(FILES ${P88_PACKAGING_DIR}/prometheus/p88-alerts.yml
        DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/p88/prometheus COMPONENT host)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/ DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/doc/p88 COMPONENT host)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/sdk/examples/hello-provider
        DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/doc/p88-dev/examples COMPONENT sdk)
install(FILES ${PROJECT_SOURCE_DIR}/docs/plugin-authoring.md
        DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/doc/p88-dev COMPONENT sdk)

# Every Debian package carries its copyright file and (a native package) its changelog, gzipped
# reproducibly (-n: no name or time stamp).
set(P88_CHANGELOG_GZ ${CMAKE_CURRENT_BINARY_DIR}/packaging/changelog.gz)
file(MAKE_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR}/packaging)
execute_process(COMMAND gzip -9nc ${P88_PACKAGING_DIR}/debian/changelog
                OUTPUT_FILE ${P88_CHANGELOG_GZ} RESULT_VARIABLE gzip_result)
if(NOT gzip_result EQUAL 0)
  message(FATAL_ERROR "gzip of packaging/debian/changelog failed: ${gzip_result}")
endif()
foreach(pair "host;p88" "sdk;p88-dev" "simulator;p88-provider-sim")
  list(GET pair 0 component)
  list(GET pair 1 package)
  install(FILES ${P88_PACKAGING_DIR}/debian/copyright ${P88_CHANGELOG_GZ}
          DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/doc/${package} COMPONENT ${component})
endforeach()

set(CPACK_PACKAGE_NAME p88)
set(CPACK_PACKAGE_VENDOR "p88")
set(CPACK_PACKAGE_CONTACT "p88 developers <dev@p88.example.com>")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_GENERATOR "DEB;RPM")
set(CPACK_STRIP_FILES ON)   # plugins are found with dlopen + dlsym, never through .symtab
set(CPACK_COMPONENTS_ALL host sdk simulator)
set(CPACK_COMPONENT_HOST_DESCRIPTION
    "Keeps a timing company's database in step with race-registration providers
p88host syncs registrants from RunSignUp, Race Roster, Haku and Let's Do
This into SQLite or PostgreSQL, within each provider's API rate limits,
as a systemd service.")
set(CPACK_COMPONENT_SDK_DESCRIPTION
    "SDK for p88 provider plugins
The C ABI and C++ headers, the P88Sdk CMake package and an example
plugin, to build a provider plugin that p88host loads.")
set(CPACK_COMPONENT_SIMULATOR_DESCRIPTION
    "Simulator of the registration providers' APIs for p88
p88-provider-sim serves RunSignUp, Race Roster, Haku and Let's Do This
APIs on loopback with generated races, for sandboxes, trials and tests
of p88host.")

# deb
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_HOST_PACKAGE_NAME p88)
set(CPACK_DEBIAN_HOST_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_HOST_PACKAGE_DEPENDS "adduser, tzdata")
set(CPACK_DEBIAN_HOST_PACKAGE_SUGGESTS "postgresql-client, p88-provider-sim")
set(CPACK_DEBIAN_HOST_PACKAGE_CONTROL_EXTRA
    "${P88_PACKAGING_DIR}/debian/p88/postinst;${P88_PACKAGING_DIR}/debian/p88/prerm;${P88_PACKAGING_DIR}/debian/p88/postrm;${P88_PACKAGING_DIR}/debian/p88/conffiles")
set(CPACK_DEBIAN_SDK_PACKAGE_NAME p88-dev)
set(CPACK_DEBIAN_SDK_PACKAGE_SECTION devel)
# The example plugin and the SDK's optional helpers (plugin_kit.hpp) use these headers.
set(CPACK_DEBIAN_SDK_PACKAGE_DEPENDS "nlohmann-json3-dev, libhowardhinnant-date-dev, cmake")
set(CPACK_DEBIAN_SDK_PACKAGE_RECOMMENDS "g++, p88 (= ${PROJECT_VERSION})")
set(CPACK_DEBIAN_SIMULATOR_PACKAGE_NAME p88-provider-sim)
set(CPACK_DEBIAN_SIMULATOR_PACKAGE_SHLIBDEPS ON)

# rpm (built with Debian's libraries, so its automatic requirements name them: a format check)
set(CPACK_RPM_COMPONENT_INSTALL ON)
set(CPACK_RPM_FILE_NAME RPM-DEFAULT)
set(CPACK_RPM_PACKAGE_LICENSE "Proprietary")
set(CPACK_RPM_PACKAGE_AUTOREQ ON)
set(CPACK_RPM_PACKAGE_RELOCATABLE OFF)
set(CPACK_RPM_SPEC_MORE_DEFINE "%define _build_id_links none")
set(CPACK_RPM_HOST_PACKAGE_NAME p88)
set(CPACK_RPM_HOST_PACKAGE_REQUIRES "tzdata, shadow-utils, systemd")
set(CPACK_RPM_HOST_POST_INSTALL_SCRIPT_FILE ${P88_PACKAGING_DIR}/rpm/p88.post)
set(CPACK_RPM_HOST_PRE_UNINSTALL_SCRIPT_FILE ${P88_PACKAGING_DIR}/rpm/p88.preun)
set(CPACK_RPM_HOST_POST_UNINSTALL_SCRIPT_FILE ${P88_PACKAGING_DIR}/rpm/p88.postun)
set(CPACK_RPM_HOST_USER_FILELIST "%config(noreplace) ${P88_CONFIG_DIR}/p88host.properties"
                                 "%config(noreplace) /etc/logrotate.d/p88host")
set(CPACK_RPM_SDK_PACKAGE_NAME p88-dev)
set(CPACK_RPM_SDK_PACKAGE_REQUIRES "cmake, json-devel")
set(CPACK_RPM_SIMULATOR_PACKAGE_NAME p88-provider-sim)
set(CPACK_RPM_EXCLUDE_FROM_AUTO_FILELIST_ADDITION
    /etc/logrotate.d /etc/p88 /usr/lib/systemd /usr/lib/systemd/system /usr/share/doc/p88-dev/examples)

include(CPack)
