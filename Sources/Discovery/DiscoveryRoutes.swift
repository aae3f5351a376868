import Foundation
import Hummingbird
import NIOCore
import ServiceKit

/// The registry's HTTP API (all answers in the standard envelope).
struct DiscoveryRoutes: Sendable {
    let registry: Registry

    static let exampleInstance = DiscoveredInstance(
        instanceId: "iam-127.0.0.1-8081", serviceName: "iam", host: "127.0.0.1", port: 8081, url: "http://127.0.0.1:8081",
        status: "UP", metadata: ["version": "1.0.0"], healthCheckUrl: "http://127.0.0.1:8081/health/ready",
        registeredAt: Date(timeIntervalSince1970: 1_750_000_000), lastHeartbeatAt: Date(timeIntervalSince1970: 1_750_000_010))

    /// The path parameters as the routes check them (a malformed one is a 400).
    static let nameParameter = OperationDoc.QueryParameter.string(
        "name", "a service name", length: InstanceRegistrationRequest.nameLength, pattern: InstanceRegistrationRequest.identifierPattern)
    static let instanceIdParameter = OperationDoc.QueryParameter.string(
        "instanceId", "an instance id", length: InstanceRegistrationRequest.idLength, pattern: InstanceRegistrationRequest.identifierPattern)
    static let statusQuery = OperationDoc.QueryParameter.string(
        "status", "keep only instances with this status (any case)", pattern: InstanceStatus.anyCasePattern)

    func register(on app: ServiceApp) {
        app.route(.post, "/services/:name/instances", doc: OperationDoc(
            "Register an instance (an existing instanceId is replaced)", tag: "registry",
            request: InstanceRegistrationRequest(instanceId: "iam-127.0.0.1-8081", host: "127.0.0.1", port: 8081,
                                                 metadata: ["version": "1.0.0"], healthCheckUrl: "http://127.0.0.1:8081/health/ready",
                                                 status: .up),
            response: Self.exampleInstance, successStatus: 201, errors: [400, 413, 415], path: [Self.nameParameter]), registerInstance)
        app.route(.put, "/services/:name/instances/:instanceId/heartbeat", doc: OperationDoc(
            "Renew an instance's lease, optionally with a new status; 404 means register again", tag: "registry",
            request: HeartbeatRequest(status: .up), response: Self.exampleInstance, errors: [400, 404],
            path: [Self.nameParameter, Self.instanceIdParameter], requestBodyRequired: false), heartbeat)
        app.route(.delete, "/services/:name/instances/:instanceId", doc: OperationDoc(
            "Deregister an instance", tag: "registry", errors: [400, 404], path: [Self.nameParameter, Self.instanceIdParameter]), deregister)
        app.route(.get, "/services", doc: OperationDoc(
            "Every service with its live instances (?status=UP to keep only those up)", tag: "registry",
            response: [DiscoveredService(name: "iam", instances: [Self.exampleInstance])], errors: [400], query: [Self.statusQuery]),
            listServices)
        app.route(.get, "/services/:name", doc: OperationDoc(
            "One service's live instances (?status=UP to keep only those up); 404 when there is none", tag: "registry",
            response: DiscoveredService(name: "iam", instances: [Self.exampleInstance]), errors: [400, 404],
            query: [Self.statusQuery], path: [Self.nameParameter]), service)
    }

    @Sendable func registerInstance(_ request: Request, context: ServiceRequestContext) async throws -> EnvelopeResponse<DiscoveredInstance> {
        let name = try RegistrationValidation.serviceName(try context.parameters.require("name"))
        let body = try await request.decodeJSON(InstanceRegistrationRequest.self, context: context)
        let valid = try RegistrationValidation.registration(body)
        let instance = try await registry.register(
            serviceName: name, instanceId: valid.instanceId, host: valid.host, port: valid.port, status: valid.status,
            metadata: valid.metadata, healthCheckUrl: valid.healthCheckUrl)
        return EnvelopeResponse(instance, status: .created, message: "Registered",
                                headers: [.location: "/services/\(name)/instances/\(instance.instanceId)"])
    }

    @Sendable func heartbeat(_ request: Request, context: ServiceRequestContext) async throws -> EnvelopeResponse<DiscoveredInstance> {
        let name = try RegistrationValidation.serviceName(try context.parameters.require("name"))
        let instanceId = try RegistrationValidation.instanceId(try context.parameters.require("instanceId"))
        let status = try RegistrationValidation.status(try await Self.heartbeatBody(request, context: context)?.status)
        guard let instance = try await registry.heartbeat(serviceName: name, instanceId: instanceId, status: status) else {
            throw APIError.notFound("No live instance \(instanceId) of service \(name); register it again")
        }
        return EnvelopeResponse(instance, message: "Renewed")
    }

    @Sendable func deregister(_ request: Request, context: ServiceRequestContext) async throws -> EnvelopeResponse<EmptyPayload> {
        let name = try RegistrationValidation.serviceName(try context.parameters.require("name"))
        let instanceId = try RegistrationValidation.instanceId(try context.parameters.require("instanceId"))
        guard try await registry.deregister(serviceName: name, instanceId: instanceId) else {
            throw APIError.notFound("No live instance \(instanceId) of service \(name)")
        }
        return .message("Deregistered")
    }

    @Sendable func listServices(_ request: Request, context: ServiceRequestContext) async throws -> EnvelopeResponse<[DiscoveredService]> {
        let status = try RegistrationValidation.status(request.uri.queryParameters.get("status"))
        return EnvelopeResponse(try await registry.services(status: status))
    }

    @Sendable func service(_ request: Request, context: ServiceRequestContext) async throws -> EnvelopeResponse<DiscoveredService> {
        let name = try RegistrationValidation.serviceName(try context.parameters.require("name"))
        let status = try RegistrationValidation.status(request.uri.queryParameters.get("status"))
        let instances = try await registry.instances(of: name, status: status)
        guard !instances.isEmpty else {
            throw APIError.notFound("No live instance of service \(name)" + (status.map { " with status \($0.rawValue)" } ?? ""))
        }
        return EnvelopeResponse(DiscoveredService(name: name, instances: instances))
    }

    /// The heartbeat's body is optional: none, or `{"status": …}`.
    static func heartbeatBody(_ request: Request, context: ServiceRequestContext) async throws -> HeartbeatRequest? {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: context.bodyLimit)
        } catch {
            throw APIError(.contentTooLarge, "The request body is larger than \(context.bodyLimit) bytes")
        }
        guard buffer.readableBytes > 0 else { return nil }
        do {
            return try JSONDecoder().decode(HeartbeatRequest.self, from: Data(buffer.readableBytesView))
        } catch {
            throw APIError.validation([FieldError(field: "status", message: "send no body, or a JSON object like {\"status\": \"UP\"}")])
        }
    }
}
