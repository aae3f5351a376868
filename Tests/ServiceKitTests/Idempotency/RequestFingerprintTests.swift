import Crypto
import Foundation
import NIOCore
@testable import ServiceKit
import Testing

/// The canonical fingerprint: key order and whitespace never matter, any change of content does.
@Suite struct RequestFingerprintTests {
    func fingerprint(_ text: String) -> String { RequestFingerprint.of(ByteBuffer(string: text)) }

    @Test func keyOrderAndWhitespaceDoNotMatterAtAnyLevel() {
        let reference = fingerprint(#"{"a":1,"b":{"x":[1,2,{"p":true,"q":null}],"y":"z"},"c":"d/e"}"#)
        #expect(fingerprint(#"{"c":"d/e","b":{"y":"z","x":[1,2,{"q":null,"p":true}]},"a":1}"#) == reference)
        #expect(fingerprint("{\n  \"a\" : 1 ,\t\"b\":{ \"x\":[ 1, 2, {\"p\":true,\"q\":null} ], \"y\":\"z\" }, \"c\":\"d\\/e\"\r\n}\n") == reference)
    }

    @Test func anyChangeOfContentChangesIt() {
        let reference = fingerprint(#"{"item":"book","quantity":1}"#)
        #expect(fingerprint(#"{"item":"book","quantity":1,"note":""}"#) != reference)   // added field
        #expect(fingerprint(#"{"item":"book"}"#) != reference)                          // removed field
        #expect(fingerprint(#"{"item":"book","quantity":2}"#) != reference)             // changed value
        #expect(fingerprint(#"{"item":"book","quantity":"1"}"#) != reference)           // changed type
        #expect(fingerprint(#"{"item":"Book","quantity":1}"#) != reference)             // case
        #expect(fingerprint(#"[1,2]"#) != fingerprint(#"[2,1]"#))                       // array order is content
        #expect(fingerprint(#"{"a":{"b":1}}"#) != fingerprint(#"{"a":{"b":1,"c":2}}"#)) // nested addition
    }

    @Test func canonicalFormIsSortedAndCompact() throws {
        let canonical = try #require(RequestFingerprint.canonicalJSON(Data(#"{ "b" : [ 1 , { "d":1, "c":2 } ], "a" : "x/y" }"#.utf8)))
        #expect(String(decoding: canonical, as: UTF8.self) == #"{"a":"x/y","b":[1,{"c":2,"d":1}]}"#)
        let expected = SHA256.hash(data: canonical).map { String(format: "%02x", $0) }.joined()
        #expect(fingerprint(#"{ "b" : [ 1 , { "d":1, "c":2 } ], "a" : "x/y" }"#) == expected)
    }

    @Test func aBodyThatIsNotJSONIsHashedRaw() {
        let raw = "item=book&quantity=1"
        let expected = SHA256.hash(data: Data(raw.utf8)).map { String(format: "%02x", $0) }.joined()
        #expect(fingerprint(raw) == expected)
        #expect(fingerprint("{broken") != fingerprint("{broken "))
        #expect(fingerprint("") == SHA256.hash(data: Data()).map { String(format: "%02x", $0) }.joined())
    }
}
