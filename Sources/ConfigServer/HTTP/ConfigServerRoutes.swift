import Hummingbird
import ServiceKit

/// `GET /{application}/{profile}` (default label) and `GET /{application}/{profile}/{label}`.
/// The operational routes (`/health/live`, `/health/ready`) are constant paths and take precedence, so
/// `health` cannot be used as an application name.
struct ConfigServerRoutes: Sendable {
    let resolver: ConfigResolver

    func register(on app: ServiceApp) {
        app.route(.get, "/:application/:profile", doc: OperationDoc(
            "Configuration of an application for comma-separated profiles at the default label", tag: "config",
            response: ConfigEnvironment.example, errors: [400, 404, 500, 503]), atDefaultLabel)
        app.route(.get, "/:application/:profile/:label", doc: OperationDoc(
            "Configuration of an application for comma-separated profiles at a branch, tag or commit ('/' written '(_)')",
            tag: "config", response: ConfigEnvironment.example, errors: [400, 404, 500, 503]), atLabel)
    }

    @Sendable func atDefaultLabel(_ request: Request, context: ServiceRequestContext) async throws -> EnvelopeResponse<ConfigEnvironment> {
        try await environment(context, label: nil)
    }

    @Sendable func atLabel(_ request: Request, context: ServiceRequestContext) async throws -> EnvelopeResponse<ConfigEnvironment> {
        try await environment(context, label: try context.parameters.require("label"))
    }

    private func environment(_ context: ServiceRequestContext, label: String?) async throws -> EnvelopeResponse<ConfigEnvironment> {
        let application = try context.parameters.require("application")
        let profiles = try context.parameters.require("profile")
        return EnvelopeResponse(try await resolver.environment(application: application, profiles: profiles, label: label))
    }
}
