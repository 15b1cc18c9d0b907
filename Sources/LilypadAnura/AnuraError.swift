import Foundation
import Hummingbird

/// A refusal or failure answered the way OpenAI's API answers:
/// `{"error": {"message", "type", "param", "code"}}` with the HTTP status.
public struct AnuraError: HTTPResponseError, Sendable, Equatable {
    /// The HTTP status code.
    public var status: HTTPResponse.Status
    /// What went wrong and how to fix it.
    public var message: String
    /// OpenAI's error type: `invalid_request_error`, `authentication_error`, `rate_limit_error`, `server_error`, …
    public var type: String
    /// The request field at fault, if one is.
    public var param: String?
    /// A short machine-readable code (`model_not_found`, `invalid_api_key`, `rate_limit_exceeded`, …).
    public var code: String?

    public init(status: HTTPResponse.Status, message: String, type: String, param: String? = nil, code: String? = nil) {
        self.status = status
        self.message = message
        self.type = type
        self.param = param
        self.code = code
    }

    /// 400: the request is malformed or misses a field.
    public static func invalidRequest(_ message: String, param: String? = nil) -> Self {
        Self(status: .badRequest, message: message, type: "invalid_request_error", param: param)
    }

    /// 401: no key, or a key that is unknown or revoked.
    public static func unauthorized(_ message: String) -> Self {
        Self(status: .unauthorized, message: message, type: "authentication_error", code: "invalid_api_key")
    }

    /// 404: no provider offers the model (or it does not exist).
    public static func modelNotFound(_ model: String, kind: String) -> Self {
        Self(
            status: .notFound,
            message:
                "The model `\(model)` does not exist or no resource provider currently offers it for \(kind); GET /api/v1/models lists what is offered.",
            type: "invalid_request_error", param: "model", code: "model_not_found")
    }

    /// 404: something else that is not there.
    public static func notFound(_ message: String) -> Self {
        Self(status: .notFound, message: message, type: "invalid_request_error", code: "not_found")
    }

    /// 429: the key's request rate is exceeded.
    public static func rateLimited(limit: Int) -> Self {
        Self(
            status: .tooManyRequests, message: "Rate limit reached: this key may make \(limit) requests per second. Retry after a moment.",
            type: "rate_limit_error", code: "rate_limit_exceeded")
    }

    /// 500: the job or the network failed; the message carries the provider's own error text.
    public static func server(_ message: String) -> Self { Self(status: .internalServerError, message: message, type: "server_error") }

    /// The JSON body.
    public var body: [UInt8] {
        struct Envelope: Encodable {
            struct Detail: Encodable {
                var message: String
                var type: String
                var param: String?
                var code: String?
                func encode(to encoder: any Encoder) throws {
                    var container = encoder.container(keyedBy: CodingKeys.self)
                    try container.encode(message, forKey: .message)
                    try container.encode(type, forKey: .type)
                    try container.encode(param, forKey: .param)
                    try container.encode(code, forKey: .code)
                }
                enum CodingKeys: String, CodingKey { case message, type, param, code }
            }
            var error: Detail
        }
        let envelope = Envelope(error: .init(message: message, type: type, param: param, code: code))
        return Array((try? JSONEncoder().encode(envelope)) ?? Data(#"{"error":{"message":"error","type":"server_error"}}"#.utf8))
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        if status == .tooManyRequests { headers[.retryAfter] = "1" }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
