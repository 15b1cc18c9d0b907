import CLinuxSupport
import Dispatch
import Foundation
import LilypadCore
import LilypadImages
import NIOCore

#if canImport(Glibc)
    import Glibc
#endif

extension DockerExecutor {
    /// The engine's name for `image`: `lilypad.local/rootfs:<tag>`, where the tag is the image's
    /// digest when it has one, else the SHA-256 of its root filesystem's path.
    public static func engineImageName(for image: ExecutionImage) -> String {
        let tag = image.digest?.hex ?? Digest.sha256(of: Array(image.rootfs.standardizedFileURL.path.utf8)).hex
        return "\(imageRepository):\(tag)"
    }

    /// Makes sure the engine has `image`, importing its root filesystem if it does not, and
    /// returns the engine's name for it. Concurrent calls for one image import it once.
    @discardableResult
    public func prepareImage(_ image: ExecutionImage) async throws(ExecutionError) -> String {
        let engine = try await state.engine()
        let name = Self.engineImageName(for: image)
        let result = await state.once(name) {
            do throws(DockerEngineClient.Failure) {
                if try await engine.inspectImage(name) != nil { return .success(()) }
            } catch {
                return .failure(.engine(error.description))
            }
            return await Self.importRootfs(image, as: name, engine: engine)
        }
        try result.get()
        return name
    }

    /// Streams `tar -C rootfs --numeric-owner -cf - .` into `POST /images/create?fromSrc=-`.
    static func importRootfs(_ image: ExecutionImage, as name: String, engine: DockerEngineClient) async -> Result<Void, ExecutionError> {
        let rootfs = image.rootfs.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: rootfs, isDirectory: &isDirectory), isDirectory.boolValue else {
            return .failure(.invalidImage(reference: image.reference, reason: "its root filesystem \(rootfs) is not a folder"))
        }
        var pipe: [Int32] = [-1, -1]
        var errors: [Int32] = [-1, -1]
        guard lp_pipe_cloexec(&pipe) == 0 else {
            return .failure(.setupFailed(step: "create a pipe for tar", reason: String(cString: strerror(errno))))
        }
        guard lp_pipe_cloexec(&errors) == 0 else {
            let reason = String(cString: strerror(errno))
            close(pipe[0])
            close(pipe[1])
            return .failure(.setupFailed(step: "create a pipe for tar", reason: reason))
        }
        let tar: ChildProcess
        do {
            tar = try ChildProcess(
                "tar", ["-C", rootfs, "--numeric-owner", "-cf", "-", "."], stdout: .descriptor(pipe[1]), stderr: .descriptor(errors[1]))
        } catch {
            for descriptor in pipe + errors { close(descriptor) }
            return .failure(.hostUnsupported("cannot import \(image.reference): \(error)", fix: "install tar"))
        }
        close(pipe[1])
        close(errors[1])
        defer { close(errors[0]) }
        let chunks = FileDescriptorChunks(descriptor: pipe[0], process: tar)
        let (repository, tag) = splitName(name)
        let outcome: Result<Void, ExecutionError>
        do {
            _ = try await engine.importImage(repository: repository, tag: tag, tar: chunks)
            outcome = .success(())
        } catch {
            let tarErrors = String(decoding: Self.availableBytes(errors[0]), as: UTF8.self)
            outcome = .failure(
                .setupFailed(
                    step: "import the root filesystem of \(image.reference) into Docker",
                    reason: error.description + (tarErrors.isEmpty ? "" : " (tar: \(tarErrors.prefix(500)))")))
        }
        // Stop tar if the upload ended early (it would block on a full pipe), then release the pipe.
        tar.terminate()
        await tar.wait()
        close(pipe[0])
        return outcome
    }

    /// What can be read from `descriptor` now without waiting (stderr of a finished or failing process).
    static func availableBytes(_ descriptor: Int32) -> [UInt8] {
        let flags = fcntl(descriptor, F_GETFL)
        _ = fcntl(descriptor, F_SETFL, flags | O_NONBLOCK)
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while data.count < 64 << 10 {
            let count = Glibc.read(descriptor, &buffer, buffer.count)
            guard count > 0 else { break }
            data += buffer[0..<count]
        }
        return data
    }

    static func splitName(_ name: String) -> (repository: String, tag: String) {
        guard let colon = name.lastIndex(of: ":"), !name[colon...].contains("/") else { return (name, "latest") }
        return (String(name[..<colon]), String(name[name.index(after: colon)...]))
    }
}

/// The bytes read from a file descriptor until its end, as an `AsyncSequence` of buffers; reads
/// happen on a dispatch queue, one at a time, so a slow consumer slows the writer (no buffering).
/// At the end, the writing process must have exited with status 0, else iteration throws.
struct FileDescriptorChunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer

    struct ProcessFailed: Error, CustomStringConvertible {
        var termination: ChildProcess.Termination
        var description: String { "the archiver ended with \(termination)" }
    }

    let descriptor: Int32
    let process: ChildProcess
    var chunkSize = 1 << 16

    struct AsyncIterator: AsyncIteratorProtocol {
        let descriptor: Int32
        let process: ChildProcess
        let chunkSize: Int
        var finished = false

        mutating func next() async throws -> ByteBuffer? {
            guard !finished else { return nil }
            let descriptor = self.descriptor
            let chunkSize = self.chunkSize
            let chunk: Result<[UInt8], any Error> = await withCheckedContinuation { continuation in
                DispatchQueue.global().async {
                    var bytes = [UInt8](repeating: 0, count: chunkSize)
                    while true {
                        let count = Glibc.read(descriptor, &bytes, chunkSize)
                        if count >= 0 {
                            bytes.removeSubrange(count...)
                            continuation.resume(returning: .success(bytes))
                            return
                        }
                        if errno != EINTR {
                            continuation.resume(returning: .failure(POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)))
                            return
                        }
                    }
                }
            }
            let bytes = try chunk.get()
            if bytes.isEmpty {
                finished = true
                let termination = await process.wait()
                if termination != .exited(0) { throw ProcessFailed(termination: termination) }
                return nil
            }
            return ByteBuffer(bytes: bytes)
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(descriptor: descriptor, process: process, chunkSize: chunkSize)
    }
}
