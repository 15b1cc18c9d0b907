import Crypto
import Foundation
import Hummingbird
import HummingbirdWebSocket
import LilypadCore
import LilypadCrypto
import LilypadSolver

extension SolverServer {
    /// Results archives: the provider uploads the tar of its results folder; the deal's parties and
    /// mediators download it. The upload is streamed to a temporary file while its SHA-256 is
    /// computed, its signature checked against that digest, and only then renamed into place.
    ///
    /// Input files: a job offer posted with the tar of its inputs folder (multipart, capped at
    /// ``SolverFiles/maximumInputBytes``), stored by content; the deal's parties and mediators read it.
    static func addFileRoutes(
        to router: Router<SolverRequestContext>, solver: Solver, files: SolverFiles, auth: Authenticator, metrics: SolverMetrics
    ) {
        router.post("/api/v1/job_offers/with_files") { request, _ -> Response in
            let (signer, body) = try await auth.authenticate(request, maximumBody: files.maximumInputBytes)
            let form: MultipartFormData
            do { form = try MultipartFormData(parsing: body, contentType: request.headers[.contentType] ?? "") } catch {
                throw SolverHTTPError(status: .badRequest, message: "the body is not multipart/form-data: \(error)")
            }
            guard let offerPart = form.part(named: "job_offer.json", "job_offer") else {
                throw SolverHTTPError(status: .badRequest, message: "the part job_offer.json (the job offer's JSON) is missing")
            }
            guard let inputsPart = form.part(named: "inputs.tar", "inputs") else {
                throw SolverHTTPError(status: .badRequest, message: "the part inputs.tar (a tar of the inputs folder) is missing")
            }
            guard !inputsPart.body.isEmpty, inputsPart.body.count % 512 == 0 else {
                throw SolverHTTPError(status: .badRequest, message: "the part inputs.tar is not a tar archive (\(inputsPart.body.count) bytes)")
            }
            let offer: JobOffer = try decode(offerPart.body, as: "a job offer")
            let digest = try await run { try files.storeInput(inputsPart.body) }
            let start = ContinuousClock.now
            let container = try await run { try await solver.post(jobOffer: offer, signer: signer, now: Solver.clock(), inputDigest: digest) }
            if container.state == .dealAgreed { metrics.recordMatch(seconds: seconds(since: start)) }
            return try json(container)
        }
        router.get("/api/v1/deals/:id/input_files") { request, context -> Response in
            let (signer, _) = try await auth.authenticate(request)
            let id = try context.parameters.require("id")
            let digest = try await run { try await solver.inputDigest(dealID: id, requester: signer) }
            let path = try await run { try files.inputArchive(digest: digest) }
            guard FileManager.default.fileExists(atPath: path) else {
                throw SolverHTTPError(status: .notFound, message: "the input files of deal \(id) are no longer stored on this solver")
            }
            let body = try await FileIO().loadFile(path: path, context: context)
            return Response(status: .ok, headers: [.contentType: "application/x-tar"], body: body)
        }
        router.post("/api/v1/deals/:id/files") { request, context -> Response in
            let id = try context.parameters.require("id")
            let destination = try await run { try files.resultArchive(dealID: id) }
            // A cheap check before accepting any bytes: the claimed signer must be the deal's provider.
            let claimed = Authenticator.header(request)(SignedRequest.Header.address).flatMap { try? EthereumAddress($0) }
            guard let claimed, let deal = try? await solver.deal(id: id, requester: claimed), deal.resourceProvider.lowercased() == claimed.lowercased
            else {
                throw SolverHTTPError(status: .forbidden, message: "only the deal's resource provider uploads its results, with a signed request")
            }
            let temporary = files.incomingPath()
            defer { try? FileManager.default.removeItem(atPath: temporary) }
            guard FileManager.default.createFile(atPath: temporary, contents: nil), let handle = FileHandle(forWritingAtPath: temporary) else {
                throw SolverHTTPError(status: .init(code: 507), message: "the solver cannot store results right now")
            }
            var hasher = SHA256()
            var size = 0
            do {
                defer { try? handle.close() }
                for try await chunk in request.body {
                    size += chunk.readableBytes
                    guard size <= files.maximumResultBytes else {
                        throw SolverHTTPError(
                            status: .contentTooLarge, message: "results archives are limited to \(files.maximumResultBytes) bytes on this solver")
                    }
                    chunk.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
                    try handle.write(contentsOf: chunk.readableBytesView)
                }
                try handle.synchronize()
            }
            let signer = try auth.verify(request, bodyDigest: Array(hasher.finalize()))
            let started = try await run { try await solver.beginUpload(dealID: id, signer: signer, now: Solver.clock()) }
            _ = rename(temporary, destination)
            guard FileManager.default.fileExists(atPath: destination) else {
                throw SolverHTTPError(status: .init(code: 507), message: "the solver could not store the results archive")
            }
            return try json(JobResultReceipt(dealID: started.id, bytes: size))
        }
        router.get("/api/v1/deals/:id/files") { request, context -> Response in
            let (signer, _) = try await auth.authenticate(request)
            let id = try context.parameters.require("id")
            let path = try await run { try files.resultArchive(dealID: id) }
            _ = try await run { try await solver.deal(id: id, requester: signer) }
            guard FileManager.default.fileExists(atPath: path) else {
                throw SolverHTTPError(status: .notFound, message: "deal \(id) has no results archive (yet)")
            }
            _ = try await run { try await solver.beginDownload(dealID: id, requester: signer) }
            let body = try await FileIO().loadFile(path: path, context: context)
            return Response(status: .ok, headers: [.contentType: "application/x-tar"], body: body)
        }
    }
}

/// The answer to a results upload.
public struct JobResultReceipt: Codable, Sendable, Hashable {
    public var dealID: String
    /// Size of the stored archive.
    public var bytes: Int

    enum CodingKeys: String, CodingKey {
        case dealID = "deal_id"
        case bytes
    }
}
