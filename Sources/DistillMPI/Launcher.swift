// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

/// The MPI launcher that started this process, read from the variables
/// launchers set for their processes; nil for a plain run, which must not
/// initialise MPI (a plain `MPI_Init` would start a singleton job).
public struct Launcher: Equatable, Sendable {
    /// The variable that showed the launcher, for messages.
    public let variable: String
    /// The rank the launcher gave this process, known before MPI starts,
    /// so that only rank 0 prints the engine's notices.
    public let rank: Int

    /// The launcher named by `environment`: Open MPI's `mpirun`
    /// (`OMPI_COMM_WORLD_SIZE`), a PMIx launcher such as Slurm's `srun --mpi=pmix`
    /// (`PMIX_RANK`), or a PMI-1/2 launcher such as Hydra or `srun --mpi=pmi2`
    /// (`PMI_RANK` with `PMI_SIZE`).
    public static func detect(in environment: [String: String]) -> Launcher? {
        if environment["OMPI_COMM_WORLD_SIZE"] != nil {
            return Launcher(variable: "OMPI_COMM_WORLD_SIZE", rank: Int(environment["OMPI_COMM_WORLD_RANK"] ?? "") ?? 0)
        }
        if let rank = environment["PMIX_RANK"] {
            return Launcher(variable: "PMIX_RANK", rank: Int(rank) ?? 0)
        }
        if let rank = environment["PMI_RANK"], environment["PMI_SIZE"] != nil {
            return Launcher(variable: "PMI_RANK", rank: Int(rank) ?? 0)
        }
        return nil
    }
}
