import LogStore
import NIOCore

/// What the connection writes for one request: encoded bytes interleaved with file regions of
/// segment files, which are sent with sendfile and never copied into user space.
public struct ResponsePayload: Sendable {
    public enum Part: Sendable {
        case bytes(ByteBuffer)
        case file(SegmentRegion)
    }

    public var parts: [Part]
    /// Set by handlers that build payloads directly (Fetch) when any partition carries an error.
    public var failed = false
    public init(parts: [Part], failed: Bool = false) {
        self.parts = parts
        self.failed = failed
    }
    public init(_ bytes: ByteBuffer) { parts = [.bytes(bytes)] }

    public var byteCount: Int {
        parts.reduce(0) { total, part in
            switch part {
            case .bytes(let buffer): total + buffer.readableBytes
            case .file(let region): total + region.length
            }
        }
    }
}

/// What a request produced.
public enum RequestOutcome: Sendable {
    /// Send this (the 4-byte frame size is added by the connection).
    case respond(ResponsePayload)
    /// acks=0 produce: the client expects nothing.
    case noResponse
    /// Protocol violation (e.g. Produce v0–v2, an unsupported version): close the connection.
    case close(reason: String)
    /// The request's effects are done (an acks=all produce has appended) but its answer waits for
    /// something slow (the fsync): the connection starts its next request meanwhile and writes this
    /// answer, when `rest` returns it, still in request order.
    case deferred(@Sendable () async -> RequestOutcome)
}

/// The broker's request handling, as seen by a connection.
public protocol RequestProcessor: Sendable {
    func process(frame: ByteBuffer, connection: ConnectionInfo) async -> RequestOutcome
}

public struct ConnectionInfo: Sendable {
    public var id: UInt64
    public var remoteAddress: String
}
