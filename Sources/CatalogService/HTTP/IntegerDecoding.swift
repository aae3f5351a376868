import Foundation

extension KeyedDecodingContainer {
    /// An integer field that reports a number with a fraction (`12.5`) as a type mismatch at that field.
    /// Foundation's decoder on Linux reports it as "not valid JSON" for the whole body, which would hide
    /// the field from the client and from `FieldDecoding`'s per-field report.
    func decodeInteger<T: FixedWidthInteger & Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        do {
            return try decode(T.self, forKey: key)
        } catch let error where !(error is DecodingError) {
            // Foundation's internal "number is not representable" error, which its decoder turns into
            // "not valid JSON" at the top.
            if (try? decode(Double.self, forKey: key)) != nil {
                throw DecodingError.typeMismatch(T.self, DecodingError.Context(
                    codingPath: codingPath + [key], debugDescription: "a number with a fraction where an integer is expected"))
            }
            throw error
        }
    }
}
