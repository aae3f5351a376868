import Foundation
import Hummingbird
import HTTPTypes
import NIOCore
import ServiceKit

/// `POST /oauth2/token` as RFC 6749 has it: form-encoded grants, a plain JSON answer with `access_token`,
/// `token_type`, `expires_in`, `refresh_token`, and `{error, error_description}` failures with
/// `Cache-Control: no-store`. Client credentials come in the form or as HTTP Basic.
struct OAuthTokenEndpoint {
    let core: IAMCore
    let accountThrottle: AccountLoginThrottle

    /// The form as RFC 6749 §4.3, §6 and §4.4 define it: which fields a grant requires depends on
    /// `grant_type`, so the document states one alternative per grant.
    static let formSchema: JSONValue = ["oneOf": [
        grant("password", required: ["username", "password"], optional: ["scope"]),
        grant("refresh_token", required: ["refresh_token"], optional: []),
        // The client may authenticate with HTTP Basic instead of the form's fields (RFC 6749 §2.3.1).
        grant("client_credentials", required: [], optional: ["client_id", "client_secret", "scope"]),
    ]]

    private static func grant(_ type: String, required: [String], optional: [String]) -> JSONValue {
        var properties: [String: JSONValue] = ["grant_type": ["type": "string", "const": .string(type)]]
        for field in required + optional { properties[field] = ["type": "string"] }
        return ["type": "object", "properties": .object(properties), "required": .array((["grant_type"] + required).map { .string($0) })]
    }

    func answer(form: [String: String], authorization: String?, metadata: EventMetadata) async -> Response {
        do {
            let tokens: TokenResponse
            switch form["grant_type"] ?? "" {
            case "password":
                guard let username = form["username"], let password = form["password"] else {
                    return error(400, "invalid_request", "username and password are required")
                }
                if let wait = accountThrottle.waitBeforeTrying(username) {
                    return error(429, "slow_down", "too many failed logins for this account; retry in \(wait) s")
                }
                let user = try await accountThrottle.attempt(username) {
                    try await core.accounts.login(email: username, password: password, metadata: metadata)
                }
                tokens = try await core.tokens.issueTokens(for: user, scope: form["scope"])
            case "refresh_token":
                guard let refreshToken = form["refresh_token"] else {
                    return error(400, "invalid_request", "refresh_token is required")
                }
                tokens = try await core.tokens.refresh(refreshToken)
            case "client_credentials":
                guard let (id, secret) = clientCredentials(form: form, authorization: authorization) else {
                    return error(401, "invalid_client", "client_id and client_secret are required")
                }
                tokens = try await core.tokens.clientCredentials(clientId: id, clientSecret: secret, scope: form["scope"])
            case "":
                return error(400, "invalid_request", "grant_type is required")
            case let other:
                return error(400, "unsupported_grant_type", "unsupported grant type: \(other)")
            }
            let body = OAuthTokenBody(access_token: tokens.accessToken, token_type: tokens.tokenType, expires_in: tokens.expiresIn,
                                      refresh_token: tokens.refreshToken, scope: tokens.scope)
            return json(200, body)
        } catch let failure as IAMError {
            let (status, code, description) = failure.oauthError
            return error(status, code, description)
        } catch {
            return self.error(500, "server_error", "internal error")
        }
    }

    private func clientCredentials(form: [String: String], authorization: String?) -> (String, String)? {
        if let id = form["client_id"], let secret = form["client_secret"] { return (id, secret) }
        guard let authorization, authorization.lowercased().hasPrefix("basic "),
              let decoded = Data(base64Encoded: String(authorization.dropFirst(6)).trimmingCharacters(in: .whitespaces)) else { return nil }
        let pair = String(decoding: decoded, as: UTF8.self).split(separator: ":", maxSplits: 1)
        guard pair.count == 2 else { return nil }
        return (String(pair[0]).removingPercentEncoding ?? String(pair[0]), String(pair[1]).removingPercentEncoding ?? String(pair[1]))
    }

    private func error(_ status: Int, _ code: String, _ description: String) -> Response {
        var response = json(status, OAuthErrorBody(error: code, error_description: description))
        if status == 401 { response.headers[.wwwAuthenticate] = "Basic realm=\"oauth2\"" }
        return response
    }

    private func json(_ status: Int, _ body: some Encodable) -> Response {
        let data = (try? JSONEncoder().encode(body)) ?? Data("{}".utf8)
        return Response(status: HTTPResponse.Status(code: status),
                        headers: [.contentType: "application/json", .cacheControl: "no-store", HTTPField.Name("Pragma")!: "no-cache"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
