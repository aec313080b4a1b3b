# Tests, registered with ctest and labelled:
#   unit  tests/unit/<layer>/<file>_test.c, linked against cu_<layer> only
#   fuzz  tests/fuzz/<parser>_fuzz.c, libFuzzer, bounded runs over tests/fuzz/corpus/<parser>
#   e2e   tests/e2e/*.py and *.sh: the real server on a loopback port, real clients
#   crash tests/crash/*.py: SIGKILL during bursts
#   differential  tests/differential/*.py: the policy engine against iam-simulate (npm)

# Unit tests of the plain build also run under valgrind (memcheck, leaks are errors), so
# memory is checked by a second tool besides ASan.
find_program(VALGRIND valgrind)

# The "pg" fixture: one PostgreSQL server (tests/pg_server.py: Debian's binaries, an
# unprivileged user, a loopback port, a password) for every test that requires it; its
# store URL is in ${CUSTOS_PG_URL_FILE} while they run.
set(CUSTOS_PG_STATE ${CMAKE_BINARY_DIR}/pg-fixture)
set(CUSTOS_PG_URL_FILE ${CUSTOS_PG_STATE}/url)
add_test(NAME pg/start COMMAND python3 ${CMAKE_SOURCE_DIR}/tests/pg_server.py start ${CUSTOS_PG_STATE})
add_test(NAME pg/stop COMMAND python3 ${CMAKE_SOURCE_DIR}/tests/pg_server.py stop ${CUSTOS_PG_STATE})
set_tests_properties(pg/start PROPERTIES FIXTURES_SETUP pg LABELS unit TIMEOUT 120)
set_tests_properties(pg/stop PROPERTIES FIXTURES_CLEANUP pg LABELS unit TIMEOUT 120)

file(GLOB unit_dirs LIST_DIRECTORIES true CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/unit/*)
foreach(dir ${unit_dirs})
  if(NOT IS_DIRECTORY ${dir})
    continue()
  endif()
  get_filename_component(layer ${dir} NAME)
  file(GLOB_RECURSE tests CONFIGURE_DEPENDS ${dir}/*_test.c)
  foreach(src ${tests})
    get_filename_component(name ${src} NAME_WE)
    add_executable(${name} ${src})
    target_include_directories(${name} PRIVATE ${CMAKE_SOURCE_DIR}/tests/unit)
    target_link_libraries(${name} PRIVATE cu_${layer})
    target_compile_definitions(${name} PRIVATE
      CU_VECTORS_DIR="${CMAKE_SOURCE_DIR}/tests/vectors")
    # The store's tests that take their store from tests/unit/store/target.h run against
    # SQLite and once more against PostgreSQL (the pg fixture); postgres_*_test.c, which
    # test what only PostgreSQL has, against PostgreSQL only.
    set(on_sqlite TRUE)
    if(layer STREQUAL "store")
      file(STRINGS ${src} uses_target REGEX "#include \"target.h\"")
      if(uses_target)
        add_test(NAME unit/store-pg/${name} COMMAND ${name})
        set_tests_properties(unit/store-pg/${name} PROPERTIES LABELS unit TIMEOUT 180
          FIXTURES_REQUIRED pg ENVIRONMENT "CUSTOS_TEST_PG_URL_FILE=${CUSTOS_PG_URL_FILE}")
      endif()
      if(name MATCHES "^postgres_")
        set(on_sqlite FALSE)
      endif()
    endif()
    if(NOT on_sqlite)
      continue()
    endif()
    add_test(NAME unit/${layer}/${name} COMMAND ${name})
    set_tests_properties(unit/${layer}/${name} PROPERTIES LABELS unit TIMEOUT 120)
    if(VALGRIND AND NOT CUSTOS_SANITIZE)
      add_test(NAME valgrind/${layer}/${name}
               COMMAND ${VALGRIND} --quiet --error-exitcode=99 --leak-check=full
                       --errors-for-leak-kinds=definite,indirect $<TARGET_FILE:${name}>)
      set_tests_properties(valgrind/${layer}/${name} PROPERTIES LABELS valgrind TIMEOUT 600)
    endif()
  endforeach()
endforeach()

if(CUSTOS_FUZZ)
  # make test's bounded run: 50,000 inputs a target over its corpus (200,000 took about
  # 8 minutes of CPU for all targets, a third of make test's budget); make fuzz runs
  # 2,000,000 (CUSTOS_FUZZ_RUNS)
  set(fuzz_runs 50000)
  if(DEFINED ENV{CUSTOS_FUZZ_RUNS})
    set(fuzz_runs $ENV{CUSTOS_FUZZ_RUNS})
  endif()
  # A target whose every run costs an RSA private-key operation runs that many times fewer
  # (import_wrap: about 12 ms a run under ASan, where the others take microseconds).
  set(fuzz_cost_import_wrap 400)
  file(GLOB fuzzers CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/fuzz/*_fuzz.c)
  foreach(src ${fuzzers})
    get_filename_component(name ${src} NAME_WE)
    string(REGEX REPLACE "_fuzz$" "" parser ${name})
    add_executable(${name} ${src})
    target_compile_options(${name} PRIVATE -fsanitize=fuzzer)
    target_link_options(${name} PRIVATE -fsanitize=fuzzer)
    target_link_libraries(${name} PRIVATE cu_server cu_services cu_proto)
    set(corpus ${CMAKE_SOURCE_DIR}/tests/fuzz/corpus/${parser})
    # libFuzzer adds what it finds to its first corpus directory: a scratch one in the
    # build tree, so the committed seeds stay as they are.
    set(scratch ${CMAKE_BINARY_DIR}/fuzz-scratch/${parser})
    file(MAKE_DIRECTORY ${scratch})
    set(runs ${fuzz_runs})
    if(DEFINED fuzz_cost_${parser})
      math(EXPR runs "${fuzz_runs} / ${fuzz_cost_${parser}}")
    endif()
    add_test(NAME fuzz/${parser}
             COMMAND ${name} -runs=${runs} -max_len=8192 ${scratch} ${corpus})
    set_tests_properties(fuzz/${parser} PROPERTIES LABELS fuzz TIMEOUT 300)
  endforeach()
endif()

# A python3 that can import boto3: the one on PATH, else Debian's.
execute_process(COMMAND python3 -c "import boto3" RESULT_VARIABLE py_rc OUTPUT_QUIET ERROR_QUIET)
if(py_rc EQUAL 0)
  set(CUSTOS_PYTHON python3)
else()
  set(CUSTOS_PYTHON /usr/bin/python3)
endif()

if(NOT CUSTOS_SANITIZE)
  file(STRINGS ${CMAKE_SOURCE_DIR}/tests/e2e/valgrind.list valgrind_e2e REGEX "^test_")
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
    ${CMAKE_SOURCE_DIR}/tests/e2e/valgrind.list)
  set(pg_e2e test_iam test_kms test_secretsmanager)
  foreach(kind e2e crash differential)
    file(GLOB scripts CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/${kind}/test_*.py)
    foreach(script ${scripts})
      get_filename_component(name ${script} NAME_WE)
      add_test(NAME ${kind}/${name} COMMAND ${CUSTOS_PYTHON} ${script})
      set_tests_properties(${kind}/${name} PROPERTIES LABELS ${kind} TIMEOUT 600
        ENVIRONMENT "CUSTOS_BIN=$<TARGET_FILE:custos>;PYTHONPATH=${CMAKE_SOURCE_DIR}/tests/e2e;AWS_CLI=/usr/bin/aws")
      # a few suites once more with the store in PostgreSQL (the pg fixture; harness.py)
      if(kind STREQUAL "e2e" AND name IN_LIST pg_e2e)
        add_test(NAME e2e-pg/${name} COMMAND ${CUSTOS_PYTHON} ${script})
        set_tests_properties(e2e-pg/${name} PROPERTIES LABELS e2e TIMEOUT 600 FIXTURES_REQUIRED pg
          ENVIRONMENT "CUSTOS_BIN=$<TARGET_FILE:custos>;PYTHONPATH=${CMAKE_SOURCE_DIR}/tests/e2e;AWS_CLI=/usr/bin/aws;CUSTOS_TEST_PG_URL_FILE=${CUSTOS_PG_URL_FILE}")
      endif()
      # the end-to-end suites once more with the server under valgrind: the files of
      # tests/e2e/valgrind.list in make test (label valgrind), the others only in
      # make memcheck (label memcheck). Not the Encryption SDK interop suite: node and a
      # 1 MiB message through a server under valgrind test node's patience, not custos's
      # memory; the KMS calls it makes are those test_kms.py memchecks.
      if(VALGRIND AND kind STREQUAL "e2e" AND NOT name STREQUAL "test_kms_esdk")
        # (memcheck's files may generate many RSA keys under valgrind: a longer limit)
        if(name IN_LIST valgrind_e2e)
          set(vg_label valgrind)
          set(vg_timeout 900)
        else()
          set(vg_label memcheck)
          set(vg_timeout 2400)
        endif()
        add_test(NAME valgrind-e2e/${name} COMMAND ${CUSTOS_PYTHON} ${script})
        set_tests_properties(valgrind-e2e/${name} PROPERTIES LABELS ${vg_label} TIMEOUT ${vg_timeout}
          ENVIRONMENT "CUSTOS_BIN=${CMAKE_SOURCE_DIR}/tests/valgrind-server;CUSTOS_REAL_BIN=$<TARGET_FILE:custos>;CUSTOS_UNDER_VALGRIND=1;PYTHONPATH=${CMAKE_SOURCE_DIR}/tests/e2e;AWS_CLI=/usr/bin/aws")
      endif()
    endforeach()
  endforeach()
endif()

# The policy micro-benchmark (make bench), built beside the tests, never run by ctest.
add_executable(policy_bench ${CMAKE_SOURCE_DIR}/bench/policy_bench.c)
target_link_libraries(policy_bench PRIVATE cu_policy)
