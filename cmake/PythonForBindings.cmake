# Chooses the Python the bindings (pymydocker) are built for, then finds pybind11 in its
# FindPython mode. Without it, pybind11's legacy finder fails when another python3 (pyenv's,
# say) comes first on PATH, and Debian's pybind11 reads an empty Python_EXECUTABLE.
#
# -DPython_EXECUTABLE=... decides. Otherwise the first of the system's /usr/bin/python3 and the
# python3 on PATH that has the development files (Python.h) is taken. When none has them, or
# pybind11 is missing, the bindings are skipped with one message; the rest builds as usual.
# Sets MYDOCKER_BUILD_PYTHON.
set(MYDOCKER_BUILD_PYTHON OFF)
if(NOT Python_EXECUTABLE)
  find_program(_mydocker_path_python NAMES python3 NO_CACHE)
  foreach(_candidate /usr/bin/python3 ${_mydocker_path_python})
    if(NOT EXISTS "${_candidate}")
      continue()
    endif()
    execute_process(
      COMMAND "${_candidate}" -c
              "import os, sysconfig; print(os.path.exists(os.path.join(sysconfig.get_paths()['include'], 'Python.h')))"
      OUTPUT_VARIABLE _has_headers OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
    if(_has_headers STREQUAL "True")
      set(Python_EXECUTABLE "${_candidate}" CACHE FILEPATH "Python the bindings are built for")
      break()
    endif()
  endforeach()
endif()
if(NOT Python_EXECUTABLE)
  message(STATUS "pymydocker is not built: no python3 with development files (Debian: python3-dev)")
  return()
endif()
set(PYBIND11_FINDPYTHON ON)
find_package(Python COMPONENTS Interpreter Development.Module QUIET)
find_package(pybind11 CONFIG QUIET)
if(NOT Python_FOUND OR NOT pybind11_FOUND)
  message(STATUS "pymydocker is not built: ${Python_EXECUTABLE} has no development files or "
                 "pybind11 is missing (Debian: python3-dev, pybind11-dev)")
  return()
endif()
# The tests need pytest in that interpreter.
execute_process(COMMAND "${Python_EXECUTABLE}" -c "import pytest" RESULT_VARIABLE _no_pytest
                OUTPUT_QUIET ERROR_QUIET)
set(MYDOCKER_PYTHON_HAS_PYTEST ON)
if(_no_pytest)
  set(MYDOCKER_PYTHON_HAS_PYTEST OFF)
  message(STATUS "pymydocker's tests are not registered: ${Python_EXECUTABLE} has no pytest")
endif()
set(MYDOCKER_BUILD_PYTHON ON)
message(STATUS "pymydocker is built for ${Python_EXECUTABLE}")
