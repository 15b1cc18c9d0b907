import Dispatch
import Foundation
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
        let tar = Process()
        tar.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        tar.arguments = ["tar", "-C", rootfs, "--numeric-owner", "-cf", "-", "."]
        let pipe = Pipe()
        let errors = Pipe()
        tar.standardOutput = pipe
        tar.standardError = errors
        tar.standardInput = FileHandle.nullDevice
        do { try tar.run() } catch {
            return .failure(.hostUnsupported("cannot run tar to import \(image.reference): \(error)", fix: "install tar"))
        }
        let handle = ProcessHandle(process: tar)
        let chunks = FileDescriptorChunks(descriptor: pipe.fileHandleForReading.fileDescriptor, process: handle)
        let (repository, tag) = splitName(name)
        let outcome: Result<Void, ExecutionError>
        do {
            _ = try await engine.importImage(repository: repository, tag: tag, tar: chunks)
            outcome = .success(())
        } catch {
            let tarErrors = String(decoding: errors.fileHandleForReading.availableDataWithoutBlocking(), as: UTF8.self)
            outcome = .failure(
                .setupFailed(
                    step: "import the root filesystem of \(image.reference) into Docker",
                    reason: error.description + (tarErrors.isEmpty ? "" : " (tar: \(tarErrors.prefix(500)))")))
        }
        // Stop tar if the upload ended early (it would block on a full pipe), then release the pipe.
        await handle.stop()
        try? pipe.fileHandleForReading.close()
        return outcome
    }

    static func splitName(_ name: String) -> (repository: String, tag: String) {
        guard let colon = name.lastIndex(of: ":"), !name[colon...].contains("/") else { return (name, "latest") }
        return (String(name[..<colon]), String(name[name.index(after: colon)...]))
    }
}

extension FileHandle {
    /// What can be read now without waiting (stderr of a finished or failing process).
    fileprivate func availableDataWithoutBlocking() -> Data {
        let descriptor = fileDescriptor
        let flags = fcntl(descriptor, F_GETFL)
        _ = fcntl(descriptor, F_SETFL, flags | O_NONBLOCK)
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while data.count < 64 << 10 {
            let count = Glibc.read(descriptor, &buffer, buffer.count)
            guard count > 0 else { break }
            data.append(contentsOf: buffer[0..<count])
        }
        return data
    }
}

/// A child process that may be waited for or stopped from any task; `Process` is used by one of
/// them at a time (its waits run on a dispatch queue, serialised by the actor).
actor ProcessHandle {
    /// `Process` is not `Sendable`; this handle is what shares it.
    private struct Unchecked: @unchecked Sendable {
        let process: Process
    }

    private let unchecked: Unchecked
    private var status: Int32?
    private var process: Process { unchecked.process }

    init(process: Process) {
        self.unchecked = Unchecked(process: process)
    }

    /// Waits for the process to exit and returns its status (the exit code, or 128 + the signal).
    func wait() async -> Int32 {
        if let status { return status }
        let unchecked = self.unchecked
        let code: Int32 = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                let process = unchecked.process
                process.waitUntilExit()
                let code = process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
                continuation.resume(returning: code)
            }
        }
        status = code
        return code
    }

    /// Terminates the process if it still runs, and waits for it.
    func stop() async {
        if status == nil, process.isRunning { process.terminate() }
        _ = await wait()
    }
}

/// The bytes read from a file descriptor until its end, as an `AsyncSequence` of buffers; reads
/// happen on a dispatch queue, one at a time, so a slow consumer slows the writer (no buffering).
/// At the end, the writing process must have exited with status 0, else iteration throws.
struct FileDescriptorChunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer

    struct ProcessFailed: Error, CustomStringConvertible {
        var status: Int32
        var description: String { "the archiver exited with status \(status)" }
    }

    let descriptor: Int32
    let process: ProcessHandle
    var chunkSize = 1 << 16

    struct AsyncIterator: AsyncIteratorProtocol {
        let descriptor: Int32
        let process: ProcessHandle
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
                let status = await process.wait()
                if status != 0 { throw ProcessFailed(status: status) }
                return nil
            }
            return ByteBuffer(bytes: bytes)
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(descriptor: descriptor, process: process, chunkSize: chunkSize)
    }
}
