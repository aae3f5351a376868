import Foundation
import ServiceKit

/// Input rules for registry requests. Names and ids are limited to URL-safe characters so they travel in
/// paths unescaped; service names are case-insensitive (stored in lower case).
enum RegistrationValidation {
    static let maxNameLength = 100
    static let maxIdLength = 200
    static let maxMetadataEntries = 64
    static let maxMetadataValueLength = 1024

    struct Valid {
        var instanceId: String?
        var host: String
        var port: Int
        var status: InstanceStatus
        var metadata: [String: String]
        var healthCheckUrl: String?
    }

    /// A path segment as the client meant it: `@` and `:` arrive percent-encoded from most clients.
    private static func decoded(_ segment: String) -> String {
        segment.removingPercentEncoding ?? segment
    }

    static func serviceName(_ raw: String) throws -> String {
        let name = decoded(raw)
        var check = Validator()
        check.require(isIdentifier(name, max: maxNameLength), "name", nameRule)
        try check.finish()
        return name.lowercased()
    }

    static func instanceId(_ raw: String) throws -> String {
        let id = decoded(raw)
        var check = Validator()
        check.require(isIdentifier(id, max: maxIdLength), "instanceId", idRule)
        try check.finish()
        return id
    }

    static func status(_ raw: String?, field: String = "status") throws -> InstanceStatus? {
        guard let raw else { return nil }
        guard let status = InstanceStatus(rawValue: raw.uppercased()) else {
            throw APIError.validation([FieldError(field: field, message: statusRule)])
        }
        return status
    }

    static func registration(_ body: InstanceRegistrationRequest) throws -> Valid {
        var check = Validator()
        if let id = body.instanceId { check.require(isIdentifier(id, max: maxIdLength), "instanceId", idRule) }
        let host = body.host
        check.require(!host.isEmpty && host.count <= 253 && !host.contains(where: { $0.isWhitespace || "/?#@".contains($0) }),
                      "host", "must be a host name or IP address")
        check.require((1...65535).contains(body.port), "port", "must be between 1 and 65535")
        let status = body.status.flatMap { InstanceStatus(rawValue: $0.uppercased()) }
        check.require(body.status == nil || status != nil, "status", statusRule)
        let metadata = body.metadata ?? [:]
        check.require(metadata.count <= maxMetadataEntries, "metadata", "must have at most \(maxMetadataEntries) entries")
        check.require(metadata.allSatisfy { !$0.key.isEmpty && $0.key.unicodeScalars.count <= maxNameLength
                                                && $0.value.unicodeScalars.count <= maxMetadataValueLength },
                      "metadata", "keys must be 1–\(maxNameLength) characters and values at most \(maxMetadataValueLength)")
        if let url = body.healthCheckUrl {
            check.require((url.hasPrefix("http://") || url.hasPrefix("https://")) && url.unicodeScalars.count <= 2048,
                          "healthCheckUrl", "must be an http:// or https:// URL")
        }
        try check.finish()
        return Valid(instanceId: body.instanceId, host: host, port: body.port, status: status ?? .up,
                     metadata: metadata, healthCheckUrl: body.healthCheckUrl)
    }

    private static func isIdentifier(_ value: String, max: Int) -> Bool {
        !value.isEmpty && value.count <= max && value.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "._-:@".unicodeScalars.contains($0)
        }
    }

    private static let nameRule = "must be 1–\(maxNameLength) characters: letters, digits, '.', '_', '-', ':' or '@'"
    private static let idRule = "must be 1–\(maxIdLength) characters: letters, digits, '.', '_', '-', ':' or '@'"
    private static let statusRule = "must be one of \(InstanceStatus.allCases.map(\.rawValue).joined(separator: ", "))"
}
