import HTTPTypes
import NIOHTTP1
import ServiceKit

/// Header handling between the client side (swift-http-types) and the upstream side (NIOHTTP1):
/// hop-by-hop headers stay on their own connection, everything else passes through.
enum ProxyHeaders {
    /// RFC 9110 §7.6.1 plus the legacy ones.
    static let hopByHop: Set<String> = [
        "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection",
        "te", "trailer", "transfer-encoding", "upgrade",
    ]

    /// The names a Connection header lists are hop-by-hop too.
    static func connectionListed(_ values: [String]) -> Set<String> {
        Set(values.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces).lowercased() })
    }

    /// What goes upstream: the client's end-to-end headers (Authorization included) without Host and
    /// Content-Length (the client library sets both from the URL and the body), then the gateway's own.
    /// `peer` is the socket peer; its own `X-Forwarded-For` is passed on (with the peer appended) only when
    /// `trusted` holds it to be a proxy, else the chain starts anew at the peer, so that a client cannot make
    /// the services behind the gateway believe it is someone else.
    static func upstream(from fields: HTTPFields, requestId: String, peer: String?, trusted: TrustedProxies,
                         authority: String?, scheme: String?) -> HTTPHeaders {
        let listed = connectionListed(fields[values: .connection])
        var headers = HTTPHeaders()
        for field in fields {
            let name = field.name.canonicalName
            if hopByHop.contains(name) || listed.contains(name) { continue }
            if ["host", "content-length", "x-request-id", "traceparent", "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host"].contains(name) { continue }
            headers.add(name: field.name.rawName, value: field.value)
        }
        headers.add(name: "X-Request-Id", value: requestId)
        headers.add(name: "traceparent", value: TraceParent.propagate(fields[.traceparent]))
        let previous = fields[values: .xForwardedFor].joined(separator: ", ")
        let client = peer ?? "unknown"
        let passOn = !previous.isEmpty && peer.map(trusted.trusts) == true
        headers.add(name: "X-Forwarded-For", value: passOn ? "\(previous), \(client)" : client)
        headers.add(name: "X-Forwarded-Proto", value: fields[.xForwardedProto] ?? scheme ?? "http")
        if let host = fields[.xForwardedHost] ?? authority {
            headers.add(name: "X-Forwarded-Host", value: host)
        }
        return headers
    }

    /// What goes back to the client: the upstream's headers minus hop-by-hop ones.
    static func downstream(from headers: HTTPHeaders) -> HTTPFields {
        let listed = connectionListed(headers[canonicalForm: "connection"].map(String.init))
        var fields = HTTPFields()
        for (name, value) in headers {
            let lowered = name.lowercased()
            if hopByHop.contains(lowered) || listed.contains(lowered) { continue }
            guard let fieldName = HTTPField.Name(name) else { continue }
            fields.append(HTTPField(name: fieldName, value: value))
        }
        return fields
    }
}

extension HTTPField.Name {
    static let traceparent = HTTPField.Name("traceparent")!
    static let xForwardedProto = HTTPField.Name("X-Forwarded-Proto")!
    static let xForwardedHost = HTTPField.Name("X-Forwarded-Host")!
}
