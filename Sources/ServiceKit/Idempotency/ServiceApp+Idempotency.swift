extension ServiceApp {
    /// `Idempotency-Key` support over `database`, with its pruning job added to the background services.
    /// Routes then call `perform(request:context:required:)` on the result.
    public func enableIdempotency(database: ServiceDatabase, settings: IdempotencySettings,
                                  clock: ServiceClock = .system) -> Idempotency {
        let idempotency = Idempotency(database: database, settings: settings, clock: clock)
        addBackgroundService(idempotency.pruningJob(logger: logger))
        return idempotency
    }
}
