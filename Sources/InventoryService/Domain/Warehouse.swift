import Foundation
import ServiceKit

/// A place that holds stock. Reservations draw from active warehouses, lowest `priority` first.
public struct Warehouse: Sendable, Equatable {
    public var id: String
    /// Unique, 1–32 of `[A-Z0-9-]`.
    public var code: String
    public var name: String
    public var address: WarehouseAddress?
    public var priority: Int
    public var active: Bool
    public var createdAt: Date
    public var updatedAt: Date
    public var version: Int
}

public struct WarehouseAddress: Codable, Sendable, Equatable {
    public var line1: String
    public var city: String
    public var postalCode: String
    /// ISO-3166-1 alpha-2, upper case.
    public var country: String

    public init(line1: String, city: String, postalCode: String, country: String) {
        self.line1 = line1
        self.city = city
        self.postalCode = postalCode
        self.country = country
    }

    /// One message per broken field, named under `prefix` (`address.city`).
    func problems(prefix: String) -> [FieldError] {
        var errors: [FieldError] = []
        func text(_ value: String, _ field: String, _ limit: Int) {
            let trimmed = value.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || value.count > limit {
                errors.append(FieldError(field: "\(prefix).\(field)", message: "must be 1–\(limit) characters"))
            }
        }
        text(line1, "line1", 200)
        text(city, "city", 100)
        text(postalCode, "postalCode", 20)
        if country.count != 2 || !country.allSatisfy({ $0.isASCII && $0.isUppercase }) {
            errors.append(FieldError(field: "\(prefix).country", message: "must be an ISO-3166 alpha-2 code in upper case"))
        }
        return errors
    }
}

/// What `POST /warehouses` creates.
public struct NewWarehouse: Sendable, Equatable {
    public var code: String
    public var name: String
    public var address: WarehouseAddress?
    public var priority: Int
    public var active: Bool

    public init(code: String, name: String, address: WarehouseAddress? = nil, priority: Int = Warehouse.defaultPriority,
                active: Bool = true) {
        self.code = code
        self.name = name
        self.address = address
        self.priority = priority
        self.active = active
    }
}

/// What `PATCH /warehouses/{id}` changes; nil leaves a field as it is.
public struct WarehouseChange: Sendable, Equatable {
    public var version: Int
    public var name: String?
    public var priority: Int?
    public var active: Bool?

    public init(version: Int, name: String? = nil, priority: Int? = nil, active: Bool? = nil) {
        self.version = version
        self.name = name
        self.priority = priority
        self.active = active
    }
}

extension Warehouse {
    public static let defaultPriority = 100
    /// Priorities are small ordering numbers; the bound keeps them away from any overflow.
    public static let priorityRange = 0...1_000_000

    static func codeProblem(_ code: String) -> String? {
        let allowed = code.allSatisfy { ($0.isASCII && ($0.isUppercase || $0.isNumber)) || $0 == "-" }
        return (1...32).contains(code.count) && allowed ? nil : "must be 1–32 characters of A-Z, 0-9 and -"
    }

    static func nameProblem(_ name: String) -> String? {
        let trimmed = name.trimmingCharacters(in: .whitespaces)
        return trimmed.isEmpty || name.count > 100 ? "must be 1–100 characters" : nil
    }

    static func priorityProblem(_ priority: Int) -> String? {
        priorityRange.contains(priority) ? nil : "must be between \(priorityRange.lowerBound) and \(priorityRange.upperBound)"
    }
}
