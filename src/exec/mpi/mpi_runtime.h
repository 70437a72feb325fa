#pragma once
// MPI as the cluster transport: under `mpirun -np N` (or `srun`), every rank runs the same
// program. Rank 0 is the driver and scheduler; ranks 1..N-1 are executors: each relays tasks to
// a local executor process of its own (so a crashing task never takes an MPI rank down) and
// sends heartbeats, by which rank 0 notices a rank that died (with mpirun --enable-recovery).
// This header does not include MPI; without MPI support the functions report "not launched".

#include <memory>
#include <string>

#include "exec/executor_pool.h"

namespace smallpond {

//! True when MPI support is built in and the environment says an MPI launcher started us.
bool mpi_launched();
//! Why this launch cannot work, or "" when it can: srun started several tasks but without an
//! MPI launch they can use (each would run the whole job on its own).
std::string launch_problem();
//! Initialises MPI once (errors return instead of aborting; finalised at exit, after telling
//! the executor ranks to stop).
void mpi_initialize();
bool mpi_active();  //!< initialised, with at least one executor rank
int mpi_rank();
int mpi_size();
//! Serves as an executor rank until rank 0 says stop; then finalises MPI and exits.
[[noreturn]] void run_mpi_executor_rank();
//! The executor ranks as an ExecutorPool (rank i + 1 is executor i).
std::unique_ptr<ExecutorPool> make_mpi_pool(double heartbeat_timeout_seconds);

}  // namespace smallpond
