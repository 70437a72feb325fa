# Third-party dependencies. DuckDB comes from DUCKDB_ROOT (scripts/setup.sh fetches the pinned
# prebuilt library); everything else from the system (Debian packages).

if(NOT DUCKDB_ROOT)
  # A build that did not come through scripts/build.sh (`pip install .`): set up as it does.
  message(STATUS "DUCKDB_ROOT is not set: running scripts/setup.sh")
  execute_process(COMMAND bash ${PROJECT_SOURCE_DIR}/scripts/setup.sh
                  OUTPUT_VARIABLE setup_output RESULT_VARIABLE setup_failed
                  OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(setup_failed)
    message(FATAL_ERROR "scripts/setup.sh failed; or pass -DDUCKDB_ROOT=<dir with include/ and lib/>")
  endif()
  string(REGEX REPLACE ".*\n" "" DUCKDB_ROOT "${setup_output}")  # its last line
endif()
find_path(DUCKDB_INCLUDE_DIR duckdb.hpp PATHS ${DUCKDB_ROOT}/include NO_DEFAULT_PATH REQUIRED)
find_library(DUCKDB_LIBRARY duckdb PATHS ${DUCKDB_ROOT}/lib NO_DEFAULT_PATH REQUIRED)
add_library(duckdb::duckdb SHARED IMPORTED GLOBAL)
set_target_properties(duckdb::duckdb PROPERTIES
  IMPORTED_LOCATION ${DUCKDB_LIBRARY}
  INTERFACE_INCLUDE_DIRECTORIES ${DUCKDB_INCLUDE_DIR})
get_filename_component(DUCKDB_LIBRARY_DIR ${DUCKDB_LIBRARY} DIRECTORY)
# Binaries find libduckdb.so where it was linked from.
set(CMAKE_BUILD_RPATH ${DUCKDB_LIBRARY_DIR})
set(CMAKE_INSTALL_RPATH ${DUCKDB_LIBRARY_DIR})

find_package(nlohmann_json 3.10 REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(CLI11 REQUIRED)
find_package(Threads REQUIRED)
find_path(XXHASH_INCLUDE_DIR xxhash.h REQUIRED)
find_library(XXHASH_LIBRARY xxhash REQUIRED)

# MPI is optional: without it, smallpond runs on one machine only.
option(SMALLPOND_WITH_MPI "Build the MPI transport when MPI is found" ON)
set(SMALLPOND_HAVE_MPI OFF)
if(SMALLPOND_WITH_MPI)
  find_package(MPI COMPONENTS CXX)
  if(MPI_CXX_FOUND)
    set(SMALLPOND_HAVE_MPI ON)
  endif()
endif()
message(STATUS "smallpond: MPI transport ${SMALLPOND_HAVE_MPI}")
