import Foundation
import ServiceKit

/// A category with its subtree (API.md §3.2); `parentId` is null for a root.
struct CategoryDTO: Codable, Sendable {
    var id: String
    var name: String
    var parentId: String?
    var ancestorIds: [String]
    var version: Int
    var createdAt: Date
    var updatedAt: Date
    var children: [CategoryDTO]

    init(_ node: CategoryNode) {
        id = node.category.id
        name = node.category.name
        parentId = node.category.parentId
        ancestorIds = node.category.ancestorIds
        version = node.category.version
        createdAt = node.category.createdAt
        updatedAt = node.category.updatedAt
        children = node.children.map(CategoryDTO.init)
    }

    init(_ category: Category) {
        self.init(CategoryNode(category: category, children: []))
    }

    enum CodingKeys: String, CodingKey { case id, name, parentId, ancestorIds, version, createdAt, updatedAt, children }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(name, forKey: .name)
        try container.encode(parentId, forKey: .parentId)
        try container.encode(ancestorIds, forKey: .ancestorIds)
        try container.encode(version, forKey: .version)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
        try container.encode(children, forKey: .children)
    }

    static let example: CategoryDTO = {
        let created = Date(timeIntervalSince1970: 1_764_100_886.123)
        let root = "0193a1b2-0000-7000-8000-000000000001", child = "0193a1b2-0000-7000-8000-000000000002"
        return CategoryDTO(CategoryNode(
            category: Category(id: root, name: "Apparel", parentId: nil, path: "/\(root)/", version: 1, createdAt: created, updatedAt: created),
            children: [CategoryNode(category: Category(id: child, name: "T-shirts", parentId: root, path: "/\(root)/\(child)/", version: 1,
                                                       createdAt: created, updatedAt: created), children: [])]))
    }()
}

struct CreateCategoryRequest: Codable, Sendable, ValidatedBody {
    var name: String
    var parentId: String?

    static let rules: [FieldRule<Self>] = [.text("name", \.name, length: CategoryRules.nameLength)]

    static let example = CreateCategoryRequest(name: "T-shirts", parentId: "0193a1b2-0000-7000-8000-000000000001")
}

/// `PATCH /categories/{id}`: `version` required; `parentId: null` moves to the root, absent leaves it.
struct PatchCategoryRequest: Codable, Sendable, ValidatedBody {
    var version: Int
    var name: String?
    var parentId: String??

    enum CodingKeys: String, CodingKey { case version, name, parentId }

    init(version: Int, name: String? = nil, parentId: String?? = nil) {
        self.version = version
        self.name = name
        self.parentId = parentId
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        version = try container.decode(Int.self, forKey: .version)
        name = try container.decodeIfPresent(String.self, forKey: .name)
        if container.contains(.parentId) {
            parentId = .some(try container.decodeIfPresent(String.self, forKey: .parentId))
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(version, forKey: .version)
        try container.encodeIfPresent(name, forKey: .name)
        if let parentId { try container.encode(parentId, forKey: .parentId) }
    }

    static let example = PatchCategoryRequest(version: 1, name: "Tees", parentId: .some("0193a1b2-0000-7000-8000-000000000001"))

    static let rules: [FieldRule<Self>] = [
        .integer("version", \.version, 1...Int64(Int32.max)),
        .text("name", \.name, length: CategoryRules.nameLength),
        .changesOneOf(["name", "parentId"]) { $0.name != nil || $0.parentId != nil },
    ]

    var change: CategoryChange { CategoryChange(expectedVersion: version, name: name, parentId: parentId) }
}
