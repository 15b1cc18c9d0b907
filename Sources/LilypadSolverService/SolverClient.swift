import AsyncHTTPClient
import Foundation
import LilypadCore
import LilypadCrypto
import LilypadLedgerService
import LilypadSolver
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
    let key: PrivateKey
    let http: HTTPClient

    public init(baseURL: String, key: PrivateKey, http: HTTPClient = .lilypad) {
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
        return try await post(jobCreator: update, dealID: dealID)
    }

    /// Records the job creator's transactions on a deal.
    public func post(jobCreator update: DealTransactions.JobCreator, dealID: String) async throws(Failure) -> DealContainer {
        try await send("POST", "/api/v1/deals/\(dealID)/txs/job_creator", body: encode(update))
    }

    /// Records the provider's transactions on a deal.
    public func post(resourceProvider update: DealTransactions.ResourceProvider, dealID: String) async throws(Failure) -> DealContainer {
        try await send("POST", "/api/v1/deals/\(dealID)/txs/resource_provider", body: encode(update))
    }

    /// Records a mediator's ruling on a deal.
    public func post(mediator update: DealTransactions.Mediator, dealID: String) async throws(Failure) -> DealContainer {
        try await send("POST", "/api/v1/deals/\(dealID)/txs/mediator", body: encode(update))
    }

    /// Withdraws a job offer that is still waiting for a match.
    public func withdraw(jobOffer id: String) async throws(Failure) -> JobOfferContainer {
        try await send("DELETE", "/api/v1/job_offers/\(id)", body: [])
    }

    /// Withdraws an unmatched resource offer.
    public func withdraw(resourceOffer id: String) async throws(Failure) -> ResourceOfferContainer {
        try await send("DELETE", "/api/v1/resource_offers/\(id)", body: [])
    }

    /// The signer's events after `seq`; with `wait`, the solver holds the request up to that many
    /// seconds until there is one.
    public func events(after seq: Int, wait: Int = 0) async throws(Failure) -> [SolverEvent] {
        try await send("GET", "/api/v1/events?after=\(seq)&wait=\(wait)", body: [], timeout: .seconds(Int64(wait) + 30))
    }

    /// The newest event the signer can see: listen after it to get only what happens from now on.
    public func eventHead() async throws(Failure) -> Int {
        let head: EventHead = try await send("GET", "/api/v1/events/head", body: [])
        return head.seq
    }

    /// Posts a job offer with the tar of its inputs folder (`POST /api/v1/job_offers/with_files`).
    public func post(jobOffer: JobOffer, inputs archive: [UInt8]) async throws(Failure) -> JobOfferContainer {
        let form = MultipartFormData(parts: [
            .init(name: "job_offer.json", filename: "job_offer.json", contentType: "application/json", body: try encode(jobOffer)),
            .init(name: "inputs.tar", filename: "inputs.tar", contentType: "application/x-tar", body: archive),
        ])
        return try await send("POST", "/api/v1/job_offers/with_files", body: form.encoded(), contentType: form.contentType, timeout: .seconds(600))
    }

    /// Downloads the tar of a deal's input files (its parties and mediators); `nil` when the job has none.
    public func inputFiles(dealID: String, maximumBytes: Int = 1 << 30) async throws(Failure) -> [UInt8]? {
        let (status, data) = try await exchange(
            "GET", "/api/v1/deals/\(dealID)/input_files", body: [], contentType: nil, timeout: .seconds(600), limit: maximumBytes)
        if status == 404, case .refused(_, let message) = Self.failure(status: status, data: data), message.hasPrefix(SolverError.noInputFilesPrefix)
        {
            return nil
        }
        guard (200..<300).contains(status) else { throw Self.failure(status: status, data: data) }
        return Array(data)
    }

    /// Uploads the tar of a deal's results folder (the provider).
    public func upload(results archive: [UInt8], dealID: String) async throws(Failure) -> JobResultReceipt {
        try await send("POST", "/api/v1/deals/\(dealID)/files", body: archive, contentType: "application/x-tar", timeout: .seconds(600))
    }

    /// Downloads the tar of a deal's results folder (its parties and mediators).
    public func downloadResults(dealID: String, maximumBytes: Int = 1 << 30) async throws(Failure) -> [UInt8] {
        let (status, data) = try await exchange(
            "GET", "/api/v1/deals/\(dealID)/files", body: [], contentType: nil, timeout: .seconds(600), limit: maximumBytes)
        guard (200..<300).contains(status) else { throw Self.failure(status: status, data: data) }
        return Array(data)
    }

    private func encode(_ value: some Encodable) throws(Failure) -> [UInt8] {
        do { return try GoJSONEncoder().encode(value) } catch { throw .unexpected(status: 0, detail: "cannot encode: \(error)") }
    }

    /// Sends a signed request and decodes the answer.
    func send<T: Decodable>(
        _ method: String, _ path: String, body: [UInt8], contentType: String = "application/json", timeout: TimeAmount = .seconds(30),
        signed request: SignedRequest? = nil
    ) async throws(Failure) -> T {
        let (status, data) = try await exchange(
            method, path, body: body, contentType: contentType, timeout: timeout, limit: 64 << 20, signed: request)
        guard (200..<300).contains(status) else { throw Self.failure(status: status, data: data) }
        do { return try JSONDecoder().decode(T.self, from: data) } catch {
            throw .unexpected(status: status, detail: "cannot decode \(T.self): \(error)")
        }
    }

    /// Sends a signed request; the signature binds method, path, host, body, time and a fresh nonce.
    func exchange(
        _ method: String, _ path: String, body: [UInt8], contentType: String?, timeout: TimeAmount, limit: Int, signed request: SignedRequest? = nil
    ) async throws(Failure) -> (Int, Data) {
        let signature = request ?? SignedRequest.sign(method: method, target: path, audience: authority, body: body, key: key)
        var outgoing = HTTPClientRequest(url: baseURL + path)
        outgoing.method = HTTPMethod(rawValue: method)
        for (name, value) in signature.fields { outgoing.headers.add(name: name, value: value) }
        if !body.isEmpty {
            if let contentType { outgoing.headers.add(name: "Content-Type", value: contentType) }
            outgoing.body = .bytes(ByteBuffer(bytes: body))
        }
        do {
            let response = try await http.execute(outgoing, timeout: timeout)
            return (Int(response.status.code), Data(buffer: try await response.body.collect(upTo: limit)))
        } catch {
            throw .unreachable(url: baseURL, reason: "\(error)")
        }
    }

    /// The `host[:port]` requests are signed for.
    var authority: String {
        URL(string: baseURL).map { url in url.host.map { host in url.port.map { "\(host):\($0)" } ?? host } ?? "" } ?? ""
    }

    static func failure(status: Int, data: Data) -> Failure {
        if let body = try? JSONDecoder().decode([String: String].self, from: data), let message = body["error"] {
            return .refused(status: status, message: message)
        }
        return .unexpected(status: status, detail: String(decoding: data.prefix(200), as: UTF8.self))
    }
}
