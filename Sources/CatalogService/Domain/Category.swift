import Foundation
import ServiceKit

/// A node of the category tree. `path` is the materialized path of ids from the root, `/root/…/id/`, so
/// a subtree is every category whose path starts with the node's path.
public struct Category: Sendable, Equatable {
    public var id: String
    public var name: String
    public var parentId: String?
    public var path: String
    public var version: Int
    public var createdAt: Date
    public var updatedAt: Date

    /// The ids from the root down to the parent.
    public var ancestorIds: [String] { Array(CategoryPath.ids(path).dropLast()) }
    /// 1 for a root.
    public var depth: Int { CategoryPath.ids(path).count }
}

/// A category with its nested children, siblings ordered by name.
public struct CategoryNode: Sendable, Equatable {
    public var category: Category
    public var children: [CategoryNode]

    /// The forest of `categories`: a category whose parent is not among them is a root of it.
    static func forest(_ categories: [Category]) -> [CategoryNode] {
        let ids = Set(categories.map(\.id))
        var childrenOf: [String: [Category]] = [:]
        var roots: [Category] = []
        for category in categories {
            if let parent = category.parentId, ids.contains(parent) {
                childrenOf[parent, default: []].append(category)
            } else {
                roots.append(category)
            }
        }
        func build(_ category: Category) -> CategoryNode {
            CategoryNode(category: category, children: sorted(childrenOf[category.id] ?? []).map(build))
        }
        return sorted(roots).map(build)
    }

    private static func sorted(_ categories: [Category]) -> [Category] {
        categories.sorted { left, right in
            let l = CategoryRules.nameKey(left.name), r = CategoryRules.nameKey(right.name)
            return l != r ? l < r : left.id < right.id
        }
    }
}

enum CategoryPath {
    static func ids(_ path: String) -> [String] { path.split(separator: "/").map(String.init) }
    static func child(of parentPath: String?, id: String) -> String { (parentPath ?? "/") + id + "/" }
}

/// The category input rules of API.md §3.2.
enum CategoryRules {
    static let nameLength = 1...100

    /// Sibling names are unique regardless of case and surrounding spaces.
    static func nameKey(_ name: String) -> String {
        name.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
    }

    static func checkName(_ name: String, _ check: inout Validator) {
        check.require(nameLength.contains(name.trimmingCharacters(in: .whitespacesAndNewlines).count), "name",
                      "must be 1 to 100 characters")
    }
}

/// What an administrator asks to change on a category. `parentId` is doubly optional: nil leaves the
/// parent, `.some(nil)` moves the category to the root.
public struct CategoryChange: Sendable, Equatable {
    public var expectedVersion: Int
    public var name: String?
    public var parentId: String??

    public init(expectedVersion: Int, name: String? = nil, parentId: String?? = nil) {
        self.expectedVersion = expectedVersion
        self.name = name
        self.parentId = parentId
    }
}
