import Contracts
import Foundation
import GRDB
import Testing

@testable import CatalogService

@Suite("Category tree: materialized paths, moves, cycle guard, delete rules")
struct CategoryTreeTests {
    @Test func treeNestsChildrenSortedByName() async throws {
        let fixture = try CatalogFixture.make()
        defer { fixture.removeFiles() }
        let apparel = try await fixture.category("Apparel")
        try await fixture.category("shoes", parent: apparel.id)
        let shirts = try await fixture.category("Shirts", parent: apparel.id)
        try await fixture.category("Accessories", parent: apparel.id)
        try await fixture.category("Books")
        let tees = try await fixture.category("Tees", parent: shirts.id)
        #expect(tees.path == "/\(apparel.id)/\(shirts.id)/\(tees.id)/")
        #expect(tees.ancestorIds == [apparel.id, shirts.id])

        let tree = try await fixture.catalog.categoryTree()
        #expect(tree.map(\.category.name) == ["Apparel", "Books"])
        #expect(tree[0].children.map(\.category.name) == ["Accessories", "Shirts", "shoes"])
        #expect(tree[0].children[1].children.map(\.category.id) == [tees.id])

        let subtree = try await fixture.catalog.category(id: shirts.id)
        #expect(subtree.category.id == shirts.id && subtree.children.map(\.category.id) == [tees.id])
    }

    @Test func siblingNamesAreUniqueIgnoringCaseButCousinsMayShareThem() async throws {
        let fixture = try CatalogFixture.make()
        defer { fixture.removeFiles() }
        let a = try await fixture.category("A")
        let b = try await fixture.category("B")
        try await fixture.category("Sale", parent: a.id)
        #expect(await catalogError { try await fixture.category(" SALE ", parent: a.id) } == .siblingNameTaken("SALE"))
        try await fixture.category("sale", parent: b.id)
        #expect(await catalogError { try await fixture.category("a") } == .siblingNameTaken("a"))
    }

    @Test func unknownParentIsRefused() async throws {
        let fixture = try CatalogFixture.make()
        defer { fixture.removeFiles() }
        let unknown = "0193a1b2-0000-7000-8000-00000000ffff"
        #expect(await catalogError { try await fixture.category("X", parent: unknown) } == .unknownParent(unknown))
        #expect(await catalogError { try await fixture.category("X", parent: "nope") } == .unknownParent("nope"))
    }

    @Test func movingRewritesTheWholeSubtreeAndPublishesOneEvent() async throws {
        let fixture = try CatalogFixture.make()
        defer { fixture.removeFiles() }
        let a = try await fixture.category("A")
        let b = try await fixture.category("B")
        let child = try await fixture.category("Child", parent: a.id)
        let grandchild = try await fixture.category("Grandchild", parent: child.id)

        let moved = try await fixture.catalog.updateCategory(id: child.id, change: CategoryChange(expectedVersion: 1, parentId: .some(b.id)))
        #expect(moved.category.parentId == b.id && moved.category.version == 2)
        #expect(moved.children.first?.category.path == "/\(b.id)/\(child.id)/\(grandchild.id)/")
        #expect(moved.children.first?.category.ancestorIds == [b.id, child.id])
        #expect(try await fixture.catalog.category(id: a.id).children.isEmpty)

        let toRoot = try await fixture.catalog.updateCategory(id: child.id, change: CategoryChange(expectedVersion: 2, parentId: .some(nil)))
        #expect(toRoot.category.parentId == nil && toRoot.category.path == "/\(child.id)/")
        #expect(toRoot.children.first?.category.path == "/\(child.id)/\(grandchild.id)/")

        let events = try await fixture.outbox().filter { $0.eventType == "CategoryMoved" }
        #expect(events.count == 2)
        let first = try events[0].decode(CategoryMoved.self)
        #expect(first.oldParentId == a.id && first.newParentId == b.id && first.newPath == "/\(b.id)/\(child.id)/")
    }

    @Test func movingUnderItselfOrADescendantIsACycle() async throws {
        let fixture = try CatalogFixture.make()
        defer { fixture.removeFiles() }
        let a = try await fixture.category("A")
        let child = try await fixture.category("Child", parent: a.id)
        let grandchild = try await fixture.category("Grandchild", parent: child.id)
        for target in [a.id, child.id, grandchild.id] {
            #expect(await catalogError {
                try await fixture.catalog.updateCategory(id: a.id, change: CategoryChange(expectedVersion: 1, parentId: .some(target)))
            } == .categoryCycle)
        }
        #expect(try await fixture.catalog.category(id: a.id).category.version == 1)
    }

    @Test func moveIntoASiblingNameClashAndStaleVersionsAreConflicts() async throws {
        let fixture = try CatalogFixture.make()
        defer { fixture.removeFiles() }
        let a = try await fixture.category("A")
        let b = try await fixture.category("B")
        try await fixture.category("Sale", parent: b.id)
        let sale = try await fixture.category("sale", parent: a.id)
        #expect(await catalogError {
            try await fixture.catalog.updateCategory(id: sale.id, change: CategoryChange(expectedVersion: 1, parentId: .some(b.id)))
        } == .siblingNameTaken("sale"))
        _ = try await fixture.catalog.updateCategory(id: sale.id, change: CategoryChange(expectedVersion: 1, name: "Deals"))
        #expect(await catalogError {
            try await fixture.catalog.updateCategory(id: sale.id, change: CategoryChange(expectedVersion: 1, name: "Other"))
        } == .versionConflict(what: "category", current: 2))
        #expect(try await fixture.outbox().contains { $0.eventType == "CategoryRenamed" })
    }

    @Test func depthIsBoundedForCreatesAndMoves() async throws {
        let fixture = try CatalogFixture.make { $0.maxCategoryDepth = 3 }
        defer { fixture.removeFiles() }
        let one = try await fixture.category("1")
        let two = try await fixture.category("2", parent: one.id)
        let three = try await fixture.category("3", parent: two.id)
        #expect(await catalogError { try await fixture.category("4", parent: three.id) } == .categoryTooDeep(maximum: 3))
        let other = try await fixture.category("Other")
        try await fixture.category("Leaf", parent: other.id)
        #expect(await catalogError {
            try await fixture.catalog.updateCategory(id: other.id, change: CategoryChange(expectedVersion: 1, parentId: .some(two.id)))
        } == .categoryTooDeep(maximum: 3))
    }

    @Test func onlyEmptyCategoriesCanBeDeleted() async throws {
        let fixture = try CatalogFixture.make()
        defer { fixture.removeFiles() }
        let a = try await fixture.category("A")
        let child = try await fixture.category("Child", parent: a.id)
        let product = try await fixture.product("P-1", categories: [child.id])
        #expect(await catalogError { try await fixture.catalog.deleteCategory(id: a.id) } == .categoryNotEmpty(children: 1, products: 0))
        #expect(await catalogError { try await fixture.catalog.deleteCategory(id: child.id) } == .categoryNotEmpty(children: 0, products: 1))
        _ = try await fixture.catalog.updateProduct(id: product.id, change: ProductChange(expectedVersion: 1, categoryIds: []))
        try await fixture.catalog.deleteCategory(id: child.id)
        try await fixture.catalog.deleteCategory(id: a.id)
        #expect(try await fixture.catalog.categoryTree().isEmpty)
        #expect(await catalogError { try await fixture.catalog.deleteCategory(id: a.id) } == .categoryNotFound)
        #expect(try await fixture.outbox().filter { $0.eventType == "CategoryDeleted" }.count == 2)
    }
}
