import LilypadCore

extension FileLock {
    /// Takes the exclusive lock on `path`, reporting a failure as a module error.
    static func acquire(_ path: String) throws(ModuleError) -> FileLock {
        do {
            return try FileLock(path: path)
        } catch {
            throw .lockTimeout(path: path)
        }
    }
}
