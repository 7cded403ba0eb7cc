# What `cmake --install` puts where; the Debian package (debian/) installs exactly this.
include(GNUInstallDirs)
install(TARGETS pppoed RUNTIME DESTINATION ${CMAKE_INSTALL_SBINDIR})
install(TARGETS pppoectl pppoetest pppoec pppctl RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# The example files go to the documentation; /etc/pppoed gets its copies from the package
# (conffiles) or from the operator.
install(FILES etc/pppoed.conf etc/ppp.secret DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)
install(FILES docs/operator-guide.md docs/architecture.md docs/scaling.md docs/pppoetest.md README.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(FILES etc/grafana/pppoed-dashboard.json DESTINATION ${CMAKE_INSTALL_DATADIR}/pppoed/grafana)
install(FILES etc/bash-completion/pppoectl DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions)
# Debian 12 keeps units in /lib/systemd/system (debian/rules sets it); elsewhere PREFIX/lib.
set(PPPOE_SYSTEMD_UNITDIR lib/systemd/system CACHE STRING "where the systemd units go")
install(FILES etc/pppoed.service etc/pppoed@.service DESTINATION ${PPPOE_SYSTEMD_UNITDIR})
install(FILES etc/pppoed.tmpfiles DESTINATION lib/tmpfiles.d RENAME pppoed.conf)

# Manual pages from their Markdown sources (pandoc, Debian's `pandoc` package).
find_program(PANDOC pandoc)
if(PANDOC)
  set(PPPOE_MAN_PAGES pppoed.8 pppoectl.8 pppoetest.8 pppoec.8 pppctl.8 pppoed.conf.5)
  set(man_outputs)
  foreach(page ${PPPOE_MAN_PAGES})
    string(REGEX MATCH "[0-9]$" section ${page})
    string(REGEX REPLACE "\\.[0-9]$" "" name ${page})
    set(source ${CMAKE_SOURCE_DIR}/docs/${page}.md)
    if(page STREQUAL "pppoetest.8")
      set(source ${CMAKE_SOURCE_DIR}/docs/pppoetest.md)
    endif()
    add_custom_command(OUTPUT ${CMAKE_BINARY_DIR}/man/${page}
                       COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/man
                       COMMAND ${PANDOC} -s -t man --shift-heading-level-by=-1 -M title=${name} -M section=${section}
                               -M "footer=pppoed ${PROJECT_VERSION}" -o ${CMAKE_BINARY_DIR}/man/${page} ${source}
                       DEPENDS ${source} VERBATIM)
    list(APPEND man_outputs ${CMAKE_BINARY_DIR}/man/${page})
    install(FILES ${CMAKE_BINARY_DIR}/man/${page} DESTINATION ${CMAKE_INSTALL_MANDIR}/man${section})
  endforeach()
  add_custom_target(man ALL DEPENDS ${man_outputs})
else()
  message(STATUS "pandoc not found: no manual pages (apt install pandoc)")
endif()
