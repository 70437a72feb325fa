# `cmake --install BUILD [--prefix DIR]`: the library, its public headers, DuckDB, the CLI, and
# what other projects need to build against them: a CMake package (find_package(smallpond),
# target smallpond::smallpond) and a pkg-config file (smallpond.pc).
include(GNUInstallDirs)

install(TARGETS smallpond_core ARCHIVE DESTINATION lib)
install(TARGETS smallpond RUNTIME DESTINATION bin)
# The installed CLI finds the installed DuckDB, wherever the prefix is.
set_target_properties(smallpond PROPERTIES INSTALL_RPATH "$ORIGIN/../lib")
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/smallpond DESTINATION include)
install(FILES ${DUCKDB_LIBRARY} DESTINATION lib)

set(SMALLPOND_PC_MPI_LIBS "")
if(SMALLPOND_HAVE_MPI)
  foreach(lib ${MPI_CXX_LIBRARIES})
    string(APPEND SMALLPOND_PC_MPI_LIBS " ${lib}")
  endforeach()
endif()
configure_file(${CMAKE_CURRENT_LIST_DIR}/smallpondConfig.cmake.in
               ${PROJECT_BINARY_DIR}/smallpondConfig.cmake @ONLY)
configure_file(${CMAKE_CURRENT_LIST_DIR}/smallpond.pc.in ${PROJECT_BINARY_DIR}/smallpond.pc @ONLY)
include(CMakePackageConfigHelpers)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/smallpondConfigVersion.cmake
                                 VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/smallpondConfig.cmake
              ${PROJECT_BINARY_DIR}/smallpondConfigVersion.cmake
        DESTINATION lib/cmake/smallpond)
install(FILES ${PROJECT_BINARY_DIR}/smallpond.pc DESTINATION lib/pkgconfig)
