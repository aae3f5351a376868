import Foundation

/// What a finished git process wrote and how it exited.
public struct GitOutput: Sendable {
    public var status: Int32
    public var stdout: Data
    public var stderr: String

    public var text: String { String(decoding: stdout, as: UTF8.self) }
    /// The output without the trailing newline git adds.
    public var line: String { text.trimmingCharacters(in: .whitespacesAndNewlines) }
}
