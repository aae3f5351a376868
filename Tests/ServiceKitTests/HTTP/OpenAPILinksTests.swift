import Foundation
@testable import ServiceKit
import Testing

/// The document names every operation and links each create to the read of what it created, so that a
/// stateful fuzzer can follow the flow (POST /things → GET /things/{id}).
struct OpenAPILinksTests {
    struct Thing: Codable, Sendable { var id: String; var name: String }
    struct NewThing: Codable, Sendable { var name: String }

    @Test func aCreateLinksToTheReadOfWhatItCreated() throws {
        let document = OpenAPIDocument(title: "things")
        document.add(method: .post, path: "/things", doc: OperationDoc("Create", tag: "things", request: NewThing(name: "a"),
                                                                        response: Thing(id: "t1", name: "a"), successStatus: 201))
        document.add(method: .get, path: "/things/:thingId", doc: OperationDoc("Read", tag: "things", response: Thing(id: "t1", name: "a")))
        document.add(method: .get, path: "/things/:thingId/parts/:partId", doc: OperationDoc("Part", tag: "things"))
        // A create whose answer has no id links nowhere.
        document.add(method: .post, path: "/echo", doc: OperationDoc("Echo", tag: "echo", request: NewThing(name: "a"),
                                                                      response: NewThing(name: "a"), successStatus: 201))
        document.add(method: .get, path: "/echo/:id", doc: OperationDoc("Echo one", tag: "echo"))

        let root = try JSONDecoder().decode(JSONValue.self, from: document.render())
        let paths = try #require(root["paths"])
        #expect(paths["/things/{thingId}"]?["get"]?["operationId"] == "getThingsByThingId")
        #expect(paths["/things/{thingId}/parts/{partId}"]?["get"]?["operationId"] == "getThingsByThingIdPartsByPartId")
        let links = try #require(paths["/things"]?["post"]?["responses"]?["201"]?["links"]?.objectValue)
        #expect(links.count == 1)
        let link = try #require(links.values.first)
        #expect(link["operationId"] == "getThingsByThingId")
        #expect(link["parameters"]?["thingId"] == "$response.body#/data/id")
        #expect(paths["/echo"]?["post"]?["responses"]?["201"]?["links"] == nil)
    }

    struct Address: Codable, Sendable { var city: String; var line2: String? }
    struct Site: Codable, Sendable { var id: String; var address: Address?; var addresses: [Address] }

    /// The response schema follows the Swift type, not only the example: an optional property may be null
    /// at any depth even when the example shows a value.
    @Test func optionalPropertiesMayBeNullInAnswers() throws {
        let document = OpenAPIDocument(title: "sites")
        let example = Site(id: "s1", address: Address(city: "Leeds", line2: "Unit 4"), addresses: [Address(city: "York", line2: "Back")])
        document.add(method: .get, path: "/sites/:id", doc: OperationDoc("Read", tag: "sites", response: example))
        let root = try JSONDecoder().decode(JSONValue.self, from: document.render())
        let data = try #require(root["paths"]?["/sites/{id}"]?["get"]?["responses"]?["200"]?["content"]?["application/json"]?["schema"]?["properties"]?["data"])
        #expect(data["properties"]?["id"]?["type"] == "string")
        #expect(data["properties"]?["address"]?["type"] == ["object", "null"])
        #expect(data["properties"]?["address"]?["properties"]?["line2"]?["type"] == ["string", "null"])
        #expect(data["properties"]?["addresses"]?["items"]?["properties"]?["line2"]?["type"] == ["string", "null"])
        #expect(data["properties"]?["addresses"]?["items"]?["properties"]?["city"]?["type"] == "string")
    }

    @Test func declaredLinksCarryTheirExpressions() throws {
        let document = OpenAPIDocument(title: "auth")
        document.add(method: .post, path: "/auth/login", doc: OperationDoc("Log in", tag: "auth", request: NewThing(name: "a"),
                                                                            links: [.init("Refresh", to: "postAuthRefresh",
                                                                                          requestBody: ["token": "$response.body#/data/token"])]))
        let root = try JSONDecoder().decode(JSONValue.self, from: document.render())
        let link = try #require(root["paths"]?["/auth/login"]?["post"]?["responses"]?["200"]?["links"]?["Refresh"])
        #expect(link["operationId"] == "postAuthRefresh")
        #expect(link["requestBody"]?["token"] == "$response.body#/data/token")
        #expect(root["paths"]?["/auth/login"]?["post"]?["operationId"] == "postAuthLogin")
    }
}
