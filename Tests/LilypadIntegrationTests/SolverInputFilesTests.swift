import Foundation
import LilypadCore
import LilypadCrypto
import LilypadImages
import Testing

@testable import LilypadSolverService

/// Job offers with input files (`POST /api/v1/job_offers/with_files`) and the deal's inputs
/// (`GET /api/v1/deals/{id}/input_files`) against a real `lilypad solver` process.
@Suite("Solver input files", .serialized)
struct SolverInputFilesTests {
    let fixture = SolverProcessFixture()

    /// A tar of a folder holding `hello.txt` (and `size` more bytes in `big.bin` when asked).
    func inputsArchive(size: Int = 0) throws -> [UInt8] {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("inputs-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data("hello from the inputs\n".utf8).write(to: folder.appendingPathComponent("hello.txt"))
        if size > 0 { try Data(SecureRandom.bytes(count: size)).write(to: folder.appendingPathComponent("big.bin")) }
        return try FolderArchive.archive(folder: folder)
    }

    @Test func inputsReachTheDealsPartiesOnly() async throws {
        try await fixture.withSolver {
            let creator = SolverClient(baseURL: fixture.url, key: fixture.jobCreator)
            let provider = SolverClient(baseURL: fixture.url, key: fixture.provider)
            let archive = try inputsArchive()
            let posted = try await creator.post(jobOffer: fixture.jobOffer(), inputs: archive)
            #expect(posted.state == .dealNegotiating)
            let matched = try await provider.post(resourceOffer: fixture.resourceOffer())
            #expect(matched.state == .dealAgreed)
            #expect(try await provider.inputFiles(dealID: matched.dealID) == archive)
            #expect(try await creator.inputFiles(dealID: matched.dealID) == archive)
            // Not for anyone else; a deal that is not there is a 404.
            let stranger = SolverClient(baseURL: fixture.url, key: PrivateKey.random())
            do {
                _ = try await stranger.inputFiles(dealID: matched.dealID)
                Issue.record("a stranger read the deal's input files")
            } catch { #expect(SolverProcessFixture.status(error) == 403) }
            do {
                _ = try await provider.inputFiles(dealID: "QmNoSuchDeal")
                Issue.record("an unknown deal had input files")
            } catch { #expect(SolverProcessFixture.status(error) == 404) }
            // A deal whose job has no input files: none (a 404 the client reads as nil).
            _ = try await creator.post(jobOffer: fixture.jobOffer())
            let plain = try await provider.post(resourceOffer: fixture.resourceOffer(index: 1))
            #expect(plain.state == .dealAgreed)
            #expect(try await provider.inputFiles(dealID: plain.dealID) == nil)
            // The same inputs posted again are stored once, by content.
            _ = try await creator.post(jobOffer: fixture.jobOffer(), inputs: archive)
            let stored = try FileManager.default.contentsOfDirectory(atPath: fixture.home + "/solver/files/inputs")
            #expect(stored.count == 1 && stored.first?.hasSuffix(".tar") == true, "\(stored)")
        }
    }

    @Test func oversizedMalformedAndIncompleteUploadsAreRefused() async throws {
        try await fixture.withSolver(["--max-input-size", "1"]) {
            let creator = SolverClient(baseURL: fixture.url, key: fixture.jobCreator)
            // Over the cap (1 MiB here): 413 with the limit in the reason.
            do {
                _ = try await creator.post(jobOffer: fixture.jobOffer(), inputs: try inputsArchive(size: 2 << 20))
                Issue.record("an oversized upload was accepted")
            } catch {
                #expect(SolverProcessFixture.status(error) == 413, "\(error)")
            }
            func post(_ form: MultipartFormData, contentType: String? = nil) async -> (Int, String) {
                do {
                    let _: JobOfferContainer = try await creator.send(
                        "POST", "/api/v1/job_offers/with_files", body: form.encoded(), contentType: contentType ?? form.contentType)
                    return (200, "")
                } catch {
                    return (SolverProcessFixture.status(error), "\(error)")
                }
            }
            let offer = try GoJSONEncoder().encode(fixture.jobOffer())
            let archive = try inputsArchive()
            let missingInputs = await post(MultipartFormData(parts: [.init(name: "job_offer.json", body: offer)]))
            #expect(missingInputs.0 == 400 && missingInputs.1.contains("inputs.tar"), "\(missingInputs)")
            let missingOffer = await post(MultipartFormData(parts: [.init(name: "inputs.tar", body: archive)]))
            #expect(missingOffer.0 == 400 && missingOffer.1.contains("job_offer.json"), "\(missingOffer)")
            let notMultipart = await post(
                MultipartFormData(parts: [.init(name: "job_offer.json", body: offer), .init(name: "inputs.tar", body: archive)]),
                contentType: "application/json")
            #expect(notMultipart.0 == 400, "\(notMultipart)")
            let notATar = await post(
                MultipartFormData(parts: [.init(name: "job_offer.json", body: offer), .init(name: "inputs.tar", body: Array("hello".utf8))]))
            #expect(notATar.0 == 400 && notATar.1.contains("not a tar"), "\(notATar)")
            let badOffer = await post(
                MultipartFormData(parts: [.init(name: "job_offer.json", body: Array("{".utf8)), .init(name: "inputs.tar", body: archive)]))
            #expect(badOffer.0 == 400, "\(badOffer)")
            // Within the cap and complete: accepted (a fresh offer: on a loaded machine the
            // requests above may take longer than the solver's 30 s clock window).
            let fresh = try GoJSONEncoder().encode(fixture.jobOffer())
            let accepted = await post(
                MultipartFormData(parts: [.init(name: "job_offer.json", body: fresh), .init(name: "inputs.tar", body: archive)]))
            #expect(accepted.0 == 200, "\(accepted)")
        }
    }

    @Test func multipartRoundTrips() throws {
        let form = MultipartFormData(parts: [
            .init(name: "job_offer.json", filename: "job_offer.json", contentType: "application/json", body: Array("{}".utf8)),
            .init(
                name: "inputs.tar", filename: "inputs.tar", contentType: "application/x-tar",
                body: Array("\r\n--not-the-boundary\r\n".utf8) + [0, 255]),
        ])
        let parsed = try MultipartFormData(parsing: form.encoded(), contentType: form.contentType)
        #expect(parsed.parts == form.parts)
        #expect(parsed.part(named: "inputs.tar")?.body == form.parts[1].body)
        #expect(throws: MultipartFormData.Malformed.self) {
            try MultipartFormData(parsing: Array(form.encoded().dropLast(30)), contentType: form.contentType)
        }
    }
}
