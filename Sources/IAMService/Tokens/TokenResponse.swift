/// What a successful login, refresh or token request returns. The HTTP layer renders it as the envelope's
/// `{accessToken, refreshToken, tokenType, expiresIn}` or as RFC 6749's `access_token`, … .
public struct TokenResponse: Sendable, Equatable {
    public var accessToken: String
    /// Always `Bearer`.
    public var tokenType: String
    /// Seconds until the access token expires.
    public var expiresIn: Int
    /// Absent for client_credentials.
    public var refreshToken: String?
    public var scope: String?
}
