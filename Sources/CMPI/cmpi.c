// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

#include "cmpi.h"

#include <mpi.h>
#include <string.h>
#include <time.h>

// One window for every work queue of the job: allocating a window is
// collective, so creating one per queue and freeing it when the queue goes
// away would make freeing collective too, and a rank that throws while
// other ranks still compute would hang in it. The window lives until finalize.
static MPI_Win counter_window = MPI_WIN_NULL;
static int64_t *counter = NULL;

// A copy of the world communicator for agreeing that every rank has failed:
// a barrier on it can never match a collective of the command's own work.
static MPI_Comm failure_comm = MPI_COMM_NULL;

int cmpi_init(int *rank, int *size, int *serialized) {
    int provided = MPI_THREAD_SINGLE;
    int error = MPI_Init_thread(NULL, NULL, MPI_THREAD_SERIALIZED, &provided);
    if (error != MPI_SUCCESS) return error;
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    *serialized = provided >= MPI_THREAD_SERIALIZED;
    if ((error = MPI_Comm_rank(MPI_COMM_WORLD, rank)) != MPI_SUCCESS) return error;
    if ((error = MPI_Comm_size(MPI_COMM_WORLD, size)) != MPI_SUCCESS) return error;
    if ((error = MPI_Comm_dup(MPI_COMM_WORLD, &failure_comm)) != MPI_SUCCESS) return error;
    return MPI_Comm_set_errhandler(failure_comm, MPI_ERRORS_RETURN);
}

int cmpi_finalize(void) {
    if (counter_window != MPI_WIN_NULL) {
        MPI_Win_unlock_all(counter_window);
        MPI_Win_free(&counter_window);
    }
    if (failure_comm != MPI_COMM_NULL) MPI_Comm_free(&failure_comm);
    return MPI_Finalize();
}

void cmpi_abort(int code) { MPI_Abort(MPI_COMM_WORLD, code); }

int cmpi_every_rank_failed(double seconds) {
    MPI_Request request = MPI_REQUEST_NULL;
    if (failure_comm == MPI_COMM_NULL || MPI_Ibarrier(failure_comm, &request) != MPI_SUCCESS) return 0;
    // A rank that is still working never joins: the barrier is left pending
    // and the caller aborts the job, which ends it.
    double deadline = MPI_Wtime() + seconds;
    struct timespec pause = {0, 1000000};
    for (;;) {
        int done = 0;
        if (MPI_Test(&request, &done, MPI_STATUS_IGNORE) != MPI_SUCCESS) return 0;
        if (done) return 1;
        if (MPI_Wtime() >= deadline) return 0;
        nanosleep(&pause, NULL);
    }
}

void cmpi_error_string(int code, char *buffer, int length) {
    char message[MPI_MAX_ERROR_STRING];
    int written = 0;
    if (MPI_Error_string(code, message, &written) != MPI_SUCCESS) written = 0;
    message[written < MPI_MAX_ERROR_STRING ? written : MPI_MAX_ERROR_STRING - 1] = '\0';
    strncpy(buffer, written > 0 ? message : "unknown MPI error", (size_t)length - 1);
    buffer[length - 1] = '\0';
}

int cmpi_allgather_lengths(int64_t mine, int64_t *lengths) {
    return MPI_Allgather(&mine, 1, MPI_INT64_T, lengths, 1, MPI_INT64_T, MPI_COMM_WORLD);
}

int cmpi_allgatherv_bytes(
    const void *sent, int count, void *received, const int *counts, const int *displacements) {
    return MPI_Allgatherv(sent, count, MPI_BYTE, received, counts, displacements, MPI_BYTE, MPI_COMM_WORLD);
}

static int create_counter(void) {
    int rank = 0;
    int error = MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    if (error != MPI_SUCCESS) return error;
    MPI_Aint bytes = rank == 0 ? (MPI_Aint)sizeof(int64_t) : 0;
    error = MPI_Win_allocate(bytes, sizeof(int64_t), MPI_INFO_NULL, MPI_COMM_WORLD, &counter, &counter_window);
    if (error != MPI_SUCCESS) return error;
    MPI_Win_set_errhandler(counter_window, MPI_ERRORS_RETURN);
    if (rank == 0) *counter = 0;
    return MPI_Win_lock_all(0, counter_window);
}

int cmpi_counter_reset(void) {
    int error = MPI_SUCCESS;
    if (counter_window == MPI_WIN_NULL && (error = create_counter()) != MPI_SUCCESS) return error;
    int rank = 0;
    if ((error = MPI_Comm_rank(MPI_COMM_WORLD, &rank)) != MPI_SUCCESS) return error;
    if (rank == 0) {
        // Through the window, not a plain store, so the reset is atomic with respect to the fetches.
        int64_t zero = 0;
        int64_t ignored = 0;
        error = MPI_Fetch_and_op(&zero, &ignored, MPI_INT64_T, 0, 0, MPI_REPLACE, counter_window);
        if (error == MPI_SUCCESS) error = MPI_Win_flush(0, counter_window);
        if (error != MPI_SUCCESS) return error;
    }
    return MPI_Barrier(MPI_COMM_WORLD);
}

int cmpi_counter_fetch_increment(int64_t *previous) {
    int64_t one = 1;
    int error = MPI_Fetch_and_op(&one, previous, MPI_INT64_T, 0, 0, MPI_SUM, counter_window);
    if (error != MPI_SUCCESS) return error;
    return MPI_Win_flush(0, counter_window);
}
