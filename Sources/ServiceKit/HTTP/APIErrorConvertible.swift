/// A domain error that knows the answer a client gets for it. Services throw their own errors from
/// handlers; `EnvelopeMiddleware` maps them once, so no handler wraps its calls. What the client sees is
/// decided here, apart from the error's log text (`description`), which may say more.
public protocol APIErrorConvertible: Error {
    var apiError: APIError { get }
}
