import Crypto
import Foundation
import Hummingbird
import HummingbirdWebSocket
import LilypadCrypto
import LilypadSolver

extension SolverServer {
    /// Results archives: the provider uploads the tar of its results folder; the deal's parties and
    /// mediators download it. The upload is streamed to a temporary file while its SHA-256 is
    /// computed, its signature checked against that digest, and only then renamed into place.
    static func addFileRoutes(to router: Router<SolverRequestContext>, solver: Solver, files: SolverFiles, auth: Authenticator) {
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
