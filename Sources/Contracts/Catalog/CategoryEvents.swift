import Foundation

// Category tree events on `catalog.category.v1`, keyed by category id. `path` is the materialized path of
// ids from the root, `/rootId/…/categoryId/`; `version` is the category's after the change.

/// A category was created (a root when `parentId` is nil).
public struct CategoryCreated: DomainEvent, Equatable {
    public static let eventType = "CategoryCreated"
    public static let eventVersion = 1
    public static let aggregateType = "category"
    public static let topic = Topics.catalogCategory

    public var categoryId: String
    public var name: String
    public var parentId: String?
    public var path: String
    public var version: Int
    public var createdAt: Date
    public var aggregateId: String { categoryId }

    public init(categoryId: String, name: String, parentId: String?, path: String, version: Int, createdAt: Date) {
        self.categoryId = categoryId
        self.name = name
        self.parentId = parentId
        self.path = path
        self.version = version
        self.createdAt = createdAt
    }
}

/// A category was renamed.
public struct CategoryRenamed: DomainEvent, Equatable {
    public static let eventType = "CategoryRenamed"
    public static let eventVersion = 1
    public static let aggregateType = "category"
    public static let topic = Topics.catalogCategory

    public var categoryId: String
    public var oldName: String
    public var newName: String
    public var version: Int
    public var at: Date
    public var aggregateId: String { categoryId }

    public init(categoryId: String, oldName: String, newName: String, version: Int, at: Date) {
        self.categoryId = categoryId
        self.oldName = oldName
        self.newName = newName
        self.version = version
        self.at = at
    }
}

/// A category moved under another parent (nil: to the root), with its whole subtree; the descendants'
/// paths changed by the same prefix, so one event describes them all.
public struct CategoryMoved: DomainEvent, Equatable {
    public static let eventType = "CategoryMoved"
    public static let eventVersion = 1
    public static let aggregateType = "category"
    public static let topic = Topics.catalogCategory

    public var categoryId: String
    public var oldParentId: String?
    public var newParentId: String?
    public var oldPath: String
    public var newPath: String
    public var version: Int
    public var at: Date
    public var aggregateId: String { categoryId }

    public init(categoryId: String, oldParentId: String?, newParentId: String?, oldPath: String, newPath: String,
                version: Int, at: Date) {
        self.categoryId = categoryId
        self.oldParentId = oldParentId
        self.newParentId = newParentId
        self.oldPath = oldPath
        self.newPath = newPath
        self.version = version
        self.at = at
    }
}

/// An empty category (no children, no products) was deleted.
public struct CategoryDeleted: DomainEvent, Equatable {
    public static let eventType = "CategoryDeleted"
    public static let eventVersion = 1
    public static let aggregateType = "category"
    public static let topic = Topics.catalogCategory

    public var categoryId: String
    public var parentId: String?
    public var path: String
    public var at: Date
    public var aggregateId: String { categoryId }

    public init(categoryId: String, parentId: String?, path: String, at: Date) {
        self.categoryId = categoryId
        self.parentId = parentId
        self.path = path
        self.at = at
    }
}
