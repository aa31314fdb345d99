// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

// The MPI calls distill makes, as plain C functions: MPI_COMM_WORLD, the
// datatypes and the operations are macros over Open MPI's symbols, which Swift
// cannot import. Every function returns an MPI error code (0 for success);
// errors are returned, not fatal, on the world communicator and the window.

#ifndef CMPI_H
#define CMPI_H

#include <stdint.h>

/// MPI_Init_thread asking for MPI_THREAD_SERIALIZED (distill calls MPI from
/// whichever thread runs the command, one call at a time); sets the rank,
/// the size and the thread level provided, and duplicates the world
/// communicator for `cmpi_every_rank_failed`.
int cmpi_init(int *rank, int *size, int *serialized);

/// MPI_Finalize, after freeing the work-queue counter and the failure communicator.
int cmpi_finalize(void);

/// MPI_Abort on the world communicator: every rank of the job stops.
void cmpi_abort(int code);

/// 1 when every rank of the job calls this within `seconds` of this rank's
/// call (MPI_Ibarrier on a duplicate of the world communicator), else 0.
int cmpi_every_rank_failed(double seconds);

/// The message of an MPI error code, written into `buffer` (NUL-terminated).
void cmpi_error_string(int code, char *buffer, int length);

/// MPI_Allgather of one 64-bit length per rank into `lengths` (size entries).
int cmpi_allgather_lengths(int64_t mine, int64_t *lengths);

/// MPI_Allgatherv of bytes: rank r's `counts[r]` bytes land at `displacements[r]` of `received`.
int cmpi_allgatherv_bytes(
    const void *sent, int count, void *received, const int *counts, const int *displacements);

/// Sets the shared counter (a 64-bit integer in an RMA window at rank 0,
/// created on first use) to zero, then waits at a barrier so that no rank
/// draws from it before the reset. Collective.
int cmpi_counter_reset(void);

/// Atomically adds one to the shared counter and returns its previous value
/// (MPI_Fetch_and_op with MPI_SUM under a passive-target lock_all epoch).
int cmpi_counter_fetch_increment(int64_t *previous);

#endif
