# Install layout and packages (deb, rpm, tgz) for p88host, the bundled plugins and the SDK.
#   cmake --preset release && cmake --build --preset release && (cd build/release && cpack)
set(P88_CONFIG_DIR /etc/p88)

install(FILES ${PROJECT_SOURCE_DIR}/packaging/p88host.properties
        DESTINATION ${P88_CONFIG_DIR} COMPONENT host)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/p88host.service
        DESTINATION lib/systemd/system COMPONENT host)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/p88host.logrotate
        DESTINATION /etc/logrotate.d RENAME p88host COMPONENT host)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT host)

set(CPACK_PACKAGE_NAME p88)
set(CPACK_PACKAGE_VENDOR "p88")
set(CPACK_PACKAGE_CONTACT "p88 developers <dev@p88.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "Keeps a timing company's database in step with race-registration providers")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_GENERATOR "TGZ;DEB;RPM")
set(CPACK_STRIP_FILES ON)   # plugins are found with dlopen + dlsym, never through .symtab

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "tzdata")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    "${PROJECT_SOURCE_DIR}/packaging/debian/postinst;${PROJECT_SOURCE_DIR}/packaging/debian/conffiles")

set(CPACK_RPM_FILE_NAME RPM-DEFAULT)
set(CPACK_RPM_PACKAGE_LICENSE "Proprietary")
set(CPACK_RPM_PACKAGE_AUTOREQ ON)
set(CPACK_RPM_SPEC_MORE_DEFINE "%define _build_id_links none")
set(CPACK_RPM_POST_INSTALL_SCRIPT_FILE ${PROJECT_SOURCE_DIR}/packaging/debian/postinst)
set(CPACK_RPM_EXCLUDE_FROM_AUTO_FILELIST_ADDITION /etc/logrotate.d /lib/systemd /lib/systemd/system)

include(CPack)
