extension ServiceApp {
    /// `Idempotency-Key` support over `database`, with its pruner added to the background services.
    /// Routes then call `perform(request:context:required:)` on the result.
    public func enableIdempotency(database: ServiceDatabase, settings: IdempotencySettings,
                                  clock: IdempotencyClock = .system) -> Idempotency {
        let idempotency = Idempotency(database: database, settings: settings, clock: clock)
        addBackgroundService(IdempotencyPruner(idempotency: idempotency, logger: logger))
        return idempotency
    }
}
