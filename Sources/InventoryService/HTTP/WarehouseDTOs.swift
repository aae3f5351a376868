import Foundation
import ServiceKit

/// Wire shapes of `/warehouses` (API.md §5), each with the example `/openapi.json` shows.
struct WarehouseDTO: Codable, Sendable {
    var id: String
    var code: String
    var name: String
    var address: WarehouseAddress?
    var priority: Int
    var active: Bool
    var createdAt: Date
    var updatedAt: Date
    var version: Int

    init(_ warehouse: Warehouse) {
        id = warehouse.id
        code = warehouse.code
        name = warehouse.name
        address = warehouse.address
        priority = warehouse.priority
        active = warehouse.active
        createdAt = warehouse.createdAt
        updatedAt = warehouse.updatedAt
        version = warehouse.version
    }

    // `address` is always present (null when none), as API.md §5 shows the resource.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(code, forKey: .code)
        try container.encode(name, forKey: .name)
        try container.encode(address, forKey: .address)
        try container.encode(priority, forKey: .priority)
        try container.encode(active, forKey: .active)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
        try container.encode(version, forKey: .version)
    }

    static let example = WarehouseDTO(Warehouse(
        id: "0193a5c2-7d1e-7b3a-9f10-3c2b1a0d9e8f", code: "MAIN", name: "Main warehouse",
        address: WarehouseAddress(line1: "1 Dock Road", city: "Leeds", postalCode: "LS1 1AA", country: "GB"),
        priority: 100, active: true, createdAt: Date(timeIntervalSince1970: 1_764_100_000), updatedAt: Date(timeIntervalSince1970: 1_764_100_000),
        version: 1))
}

/// A warehouse's address fields as the document states them (`WarehouseAddress.problems` checks the same).
enum WarehouseAddressRules {
    static let rules: [FieldRule<WarehouseAddress>] = [
        .text("line1", \.line1, length: 1...200),
        .text("city", \.city, length: 1...100),
        .text("postalCode", \.postalCode, length: 1...20),
        .text("country", \.country, length: 2...2, pattern: "[A-Z]{2}", patternMessage: "must be an ISO-3166 alpha-2 code in upper case"),
    ]
}

struct CreateWarehouseRequest: Codable, Sendable, ValidatedBody {
    var code: String
    var name: String
    var address: WarehouseAddress?
    var priority: Int?
    var active: Bool?

    var newWarehouse: NewWarehouse {
        NewWarehouse(code: code, name: name.trimmingCharacters(in: .whitespaces), address: address,
                     priority: priority ?? Warehouse.defaultPriority, active: active ?? true)
    }

    static let rules: [FieldRule<Self>] = [
        .text("code", \.code, length: 1...32, pattern: "[A-Z0-9-]+", patternMessage: "must be 1–32 characters of A-Z, 0-9 and -"),
        .text("name", \.name, length: 1...100),
        .nested("address", \.address, WarehouseAddressRules.rules),
        .integer("priority", \.priority, Int64(Warehouse.priorityRange.lowerBound)...Int64(Warehouse.priorityRange.upperBound)),
    ]

    func problems() -> [FieldError] {
        var errors: [FieldError] = []
        if let problem = Warehouse.codeProblem(code) { errors.append(FieldError(field: "code", message: problem)) }
        if let problem = Warehouse.nameProblem(name) { errors.append(FieldError(field: "name", message: problem)) }
        if let priority, let problem = Warehouse.priorityProblem(priority) { errors.append(FieldError(field: "priority", message: problem)) }
        if let address { errors += address.problems(prefix: "address") }
        return errors
    }

    static let example = CreateWarehouseRequest(code: "MAIN", name: "Main warehouse",
                                                address: WarehouseAddress(line1: "1 Dock Road", city: "Leeds", postalCode: "LS1 1AA", country: "GB"),
                                                priority: 100, active: true)
}

struct PatchWarehouseRequest: Codable, Sendable, ValidatedBody {
    var version: Int
    var name: String?
    var priority: Int?
    var active: Bool?

    var change: WarehouseChange {
        WarehouseChange(version: version, name: name?.trimmingCharacters(in: .whitespaces), priority: priority, active: active)
    }

    static let rules: [FieldRule<Self>] = [
        .integer("version", \.version, 1...Int64(Int32.max)),
        .text("name", \.name, length: 1...100),
        .integer("priority", \.priority, Int64(Warehouse.priorityRange.lowerBound)...Int64(Warehouse.priorityRange.upperBound)),
        .changesOneOf(["name", "priority", "active"]) { $0.name != nil || $0.priority != nil || $0.active != nil },
    ]

    func problems() -> [FieldError] {
        var errors: [FieldError] = []
        if version < 1 { errors.append(FieldError(field: "version", message: "must be a version the warehouse had (1 or more)")) }
        if let name, let problem = Warehouse.nameProblem(name) { errors.append(FieldError(field: "name", message: problem)) }
        if let priority, let problem = Warehouse.priorityProblem(priority) { errors.append(FieldError(field: "priority", message: problem)) }
        if name == nil, priority == nil, active == nil {
            errors.append(FieldError(field: "body", message: "must change name, priority or active"))
        }
        return errors
    }

    static let example = PatchWarehouseRequest(version: 1, name: "Main warehouse (north)", priority: 10, active: true)
}
