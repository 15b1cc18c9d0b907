import AsyncHTTPClient
import Foundation
import LilypadCore
import LilypadCrypto
import NIOCore
import NIOHTTP1

/// A typed client for ``SolverServer``: every request is signed with the party's key.
public struct SolverClient: Sendable {
    /// Why a request did not succeed.
    public enum Failure: Error, CustomStringConvertible, Sendable {
        case refused(status: Int, message: String)
        case unreachable(url: String, reason: String)
        case unexpected(status: Int, detail: String)

        public var description: String {
            switch self {
            case .refused(let status, let message): "the solver refused the request (HTTP \(status)): \(message)"
            case .unreachable(let url, let reason): "the solver at \(url) is unreachable (\(reason))"
            case .unexpected(let status, let detail): "unexpected answer from the solver (HTTP \(status)): \(detail)"
            }
        }
    }

    public let baseURL: String
    private let key: PrivateKey
    private let http: HTTPClient

    public init(baseURL: String, key: PrivateKey, http: HTTPClient = .shared) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.key = key
        self.http = http
    }

    public func post(jobOffer: JobOffer) async throws(Failure) -> JobOfferContainer {
        try await send("POST", "/api/v1/job_offers", body: encode(jobOffer))
    }

    public func post(resourceOffer: ResourceOffer) async throws(Failure) -> ResourceOfferContainer {
        try await send("POST", "/api/v1/resource_offers", body: encode(resourceOffer))
    }

    public func jobOffer(id: String) async throws(Failure) -> JobOfferContainer { try await send("GET", "/api/v1/job_offers/\(id)", body: []) }
    public func deals() async throws(Failure) -> [DealContainer] { try await send("GET", "/api/v1/deals", body: []) }
    public func deal(id: String) async throws(Failure) -> DealContainer { try await send("GET", "/api/v1/deals/\(id)", body: []) }

    /// The provider reports a deal's result.
    public func post(result: JobResult, dealID: String) async throws(Failure) -> DealContainer {
        try await send("POST", "/api/v1/deals/\(dealID)/result", body: encode(result))
    }

    public func result(dealID: String) async throws(Failure) -> JobResult { try await send("GET", "/api/v1/deals/\(dealID)/result", body: []) }

    /// The job creator accepts a deal's result, completing it.
    public func acceptResult(dealID: String, transaction: String = "accepted") async throws(Failure) -> DealContainer {
        var update = DealTransactions.JobCreator()
        update.acceptResult = transaction
        return try await send("POST", "/api/v1/deals/\(dealID)/txs/job_creator", body: encode(update))
    }

    private func encode(_ value: some Encodable) throws(Failure) -> [UInt8] {
        do { return try GoJSONEncoder().encode(value) } catch { throw .unexpected(status: 0, detail: "cannot encode: \(error)") }
    }

    /// Sends a signed request; the signature binds method, path, host, body, time and a fresh nonce.
    func send<T: Decodable>(_ method: String, _ path: String, body: [UInt8], signed request: SignedRequest? = nil) async throws(Failure) -> T {
        let authority = URL(string: baseURL).map { url in url.host.map { host in url.port.map { "\(host):\($0)" } ?? host } ?? "" } ?? ""
        let signature = request ?? SignedRequest.sign(method: method, target: path, audience: authority, body: body, key: key)
        var outgoing = HTTPClientRequest(url: baseURL + path)
        outgoing.method = HTTPMethod(rawValue: method)
        for (name, value) in signature.fields { outgoing.headers.add(name: name, value: value) }
        if !body.isEmpty {
            outgoing.headers.add(name: "Content-Type", value: "application/json")
            outgoing.body = .bytes(ByteBuffer(bytes: body))
        }
        let status: Int
        let data: Data
        do {
            let response = try await http.execute(outgoing, timeout: .seconds(30))
            status = Int(response.status.code)
            data = Data(buffer: try await response.body.collect(upTo: 64 << 20))
        } catch {
            throw .unreachable(url: baseURL, reason: "\(error)")
        }
        guard (200..<300).contains(status) else {
            if let body = try? JSONDecoder().decode([String: String].self, from: data), let message = body["error"] {
                throw .refused(status: status, message: message)
            }
            throw .unexpected(status: status, detail: String(decoding: data.prefix(200), as: UTF8.self))
        }
        do { return try JSONDecoder().decode(T.self, from: data) } catch {
            throw .unexpected(status: status, detail: "cannot decode \(T.self): \(error)")
        }
    }
}
